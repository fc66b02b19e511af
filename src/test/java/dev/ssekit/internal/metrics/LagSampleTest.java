package dev.ssekit.internal.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagSampleTest {
    /** Which of {@code subscribers} deliveries of one event the sample measures. */
    private static boolean[] fanOut(LagSample sample, int subscribers) {
        sample.start(subscribers);
        boolean[] measured = new boolean[subscribers];
        for (int i = 0; i < subscribers; i++) {
            measured[i] = sample.next();
        }
        return measured;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 31, 32})
    void start_upToPerEvent_measuresEveryDelivery(int subscribers) {
        LagSample sample = new LagSample();
        for (boolean m : fanOut(sample, subscribers)) {
            assertTrue(m);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {33, 100, 1_000, 10_000})
    void start_largerFanOut_measuresAnEvenSpreadOfAtMostPerEvent(int subscribers) {
        LagSample sample = new LagSample();
        int stride = (subscribers + LagSample.PER_EVENT - 1) / LagSample.PER_EVENT;
        int[] timesMeasured = new int[subscribers];
        for (int event = 0; event < 20 * stride; event++) { // a position missed by all: e^-20
            boolean[] measured = fanOut(sample, subscribers);
            int count = 0;
            int last = -1;
            for (int i = 0; i < subscribers; i++) {
                if (measured[i]) {
                    count++;
                    timesMeasured[i]++;
                    if (last >= 0) {
                        assertEquals(stride, i - last, "evenly spread");
                    } else {
                        assertTrue(i < stride, "starts within the first stride: " + i);
                    }
                    last = i;
                }
            }
            assertTrue(count <= LagSample.PER_EVENT && count >= subscribers / stride,
                    count + " of " + subscribers + " measured");
        }
        for (int i = 0; i < subscribers; i++) {
            assertTrue(timesMeasured[i] > 0, "subscriber " + i + " never measured: the start does not move");
        }
    }
}
