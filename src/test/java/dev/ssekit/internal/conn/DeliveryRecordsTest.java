package dev.ssekit.internal.conn;

import dev.ssekit.internal.metrics.TopicMeter;
import dev.ssekit.spi.MetricsBinding;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer thread passes its deliveries to the metrics binding in bursts
 * ({@link dev.ssekit.internal.metrics.DeliveryRecords}): every one, with the lag it was given, once
 * 256 are held or the writer has nothing more to do; any other thread at once.
 */
class DeliveryRecordsTest {
    /** A binding's topic that keeps every lag it is given, in order. */
    private static final class Lags implements MetricsBinding.TopicMetrics {
        final List<Long> recorded = new CopyOnWriteArrayList<>();

        @Override
        public void delivered(long lagNanos) {
            recorded.add(lagNanos);
        }
    }

    @Test
    void aWriterPassesItsDeliveriesOnWhenItHasNothingMoreToDo() throws Exception {
        Lags lags = new Lags();
        TopicMeter meter = new TopicMeter(lags);
        deliverOnAWriter(meter, lags, 255, () -> {
            assertEquals(255, meter.totalDelivered(), "the topic's own count is at once");
            assertEquals(List.of(), lags.recorded, "the binding's records wait for the burst while the writer works");
        });
    }

    @Test
    void aBusyWriterPassesItsDeliveriesOnEvery256() throws Exception {
        Lags lags = new Lags();
        deliverOnAWriter(new TopicMeter(lags), lags, 300, () -> assertEquals(
                LongStream.rangeClosed(1, 256).boxed().toList(), lags.recorded,
                "the first 256 are passed on while the writer still works"));
    }

    /**
     * Has a writer thread deliver lags 1 to {@code n} and then wait; runs {@code whileWorking} meanwhile,
     * lets the writer go, and checks that the binding then gets every lag, in order.
     */
    private static void deliverOnAWriter(TopicMeter meter, Lags lags, int n, Runnable whileWorking) throws Exception {
        WriterPool pool = new WriterPool("records-test", 1, 4);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch delivered = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                for (long lag = 1; lag <= n; lag++) {
                    meter.delivered(lag);
                }
                delivered.countDown();
                awaitQuietly(release);
            }, null);
            assertTrue(delivered.await(30, TimeUnit.SECONDS));
            whileWorking.run();
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> lags.recorded.size() == n);
            assertEquals(LongStream.rangeClosed(1, n).boxed().toList(), lags.recorded);
        } finally {
            release.countDown();
            pool.close(5000);
        }
    }

    /** A binding's topic that keeps the runs it is given, as "from-to". */
    private static final class Runs implements MetricsBinding.TopicMetrics {
        final List<String> runs = new CopyOnWriteArrayList<>();

        @Override
        public void delivered(long[] lagNanos, int from, int to) {
            runs.add(lagNanos[from] + "-" + lagNanos[to - 1]);
        }
    }

    @Test
    void aBurstPassesEachTopicsRunOfDeliveriesInOneCall() throws Exception {
        Runs first = new Runs();
        Runs second = new Runs();
        TopicMeter a = new TopicMeter(first);
        TopicMeter b = new TopicMeter(second);
        WriterPool pool = new WriterPool("records-test", 1, 4);
        try {
            pool.execute(() -> {
                for (long lag = 1; lag <= 6; lag++) {
                    (lag == 3 || lag == 4 ? b : a).delivered(lag);
                }
            }, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.runs.size() == 2);
            assertEquals(List.of("1-2", "5-6"), first.runs, "a topic's runs, each in one call");
            assertEquals(List.of("3-4"), second.runs);
            assertEquals(4, a.totalDelivered());
        } finally {
            pool.close(5000);
        }
    }

    @Test
    void anotherThreadPassesItsDeliveryOnAtOnce() {
        Lags lags = new Lags();
        TopicMeter meter = new TopicMeter(lags);
        meter.delivered(42);
        assertEquals(List.of(42L), lags.recorded);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
