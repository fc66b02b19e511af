package dev.ssekit.internal.metrics;

import dev.ssekit.spi.MetricsBinding;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
        Logger logger = Logger.getLogger(MicroProfileMetrics.class.getName());
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() > Level.FINE.intValue()) {
                    logged.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            assertSame(MetricsBinding.NONE, MicroProfileMetrics.ifAvailable());
            assertEquals(List.of(), logged.stream().map(LogRecord::getMessage).toList());
        } finally {
            logger.removeHandler(capture);
        }
    }
}
