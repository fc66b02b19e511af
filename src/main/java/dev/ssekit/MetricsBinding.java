package dev.ssekit;

import java.util.function.IntSupplier;

/**
 * Where a {@link Topics} registry reports its per-topic counts as they happen. In a CDI application
 * with MicroProfile Metrics, ssekit binds its own (see docs/configuration.md, "Metrics"); implement this to
 * report to another system, and give it to {@link Topics.Builder#metrics}. {@link Hub#stats()} reads
 * the same counts without any binding.
 *
 * <p>Methods are called from publishing and writer threads, concurrently: keep them cheap and
 * thread-safe, and never block in them.
 */
public interface MetricsBinding {
    /** Reports nothing. */
    MetricsBinding NONE = new MetricsBinding() {
        @Override
        public TopicMetrics bind(String topic, IntSupplier subscribers) {
            return TopicMetrics.NONE;
        }

        @Override
        public void close() {
        }
    };

    /**
     * Called once per topic, when it is first published to or subscribed to.
     *
     * @param topic       the topic, or the overflow tag once too many topics are metered
     * @param subscribers reads the topic's subscribers now
     * @return where the topic's counts go
     */
    TopicMetrics bind(String topic, IntSupplier subscribers);

    /** Called when the registry closes: remove every metric bound, so none outlives the application. */
    void close();

    /** One topic's counts as they happen. */
    interface TopicMetrics {
        TopicMetrics NONE = new TopicMetrics() {
        };

        /** @param nanos how long storing the event and queueing it to every subscriber took */
        default void published(long nanos) {
        }

        /** An event was written to one subscriber. */
        default void delivered() {
        }

        /** A subscriber lost an event to the slow-consumer policy. */
        default void dropped() {
        }

        /** A subscriber was cut by the slow-consumer policy or the write timeout. */
        default void cut() {
        }

        /** @param events how many events a reconnecting subscriber was replayed */
        default void replayed(int events) {
        }
    }
}
