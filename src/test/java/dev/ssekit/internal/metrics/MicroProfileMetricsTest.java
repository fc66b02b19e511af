package dev.ssekit.internal.metrics;

import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.testsupport.LogCapture;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class MicroProfileMetricsTest {
    /**
     * A hub built in plain Java, with the MicroProfile Metrics API on the class path but no CDI
     * container: metrics are off, quietly (it logged an {@code IllegalStateException}'s stack trace
     * at INFO for every hub built).
     */
    @Test
    void ifAvailable_withoutCdi_isOffAndLogsNothingAboveFine() {
        try (LogCapture log = LogCapture.above(MicroProfileMetrics.class.getName(), Level.FINE)) {
            assertSame(MetricsBinding.NONE, MicroProfileMetrics.ifAvailable());
            assertEquals(List.of(), log.lines());
        }
    }
}
