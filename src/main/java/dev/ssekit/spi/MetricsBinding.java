package dev.ssekit.spi;

import dev.ssekit.Conn;
import dev.ssekit.Hub;
import dev.ssekit.Topic;

import java.util.function.IntSupplier;

/**
 * Where a {@link Hub} reports its counts as they happen. ssekit binds its own where the
 * application has a metrics API: MicroProfile Metrics, else OpenTelemetry (the names are in
 * docs/operations.md, "Metrics and health"); implement this to report to another system, and give it to
 * {@link Hub.Builder#metrics}. {@link Topic#stats()} reads the per-topic counts without any binding.
 *
 * <p>Methods are called from publishing and writer threads, concurrently: keep them cheap and
 * thread-safe, and never block in them. Methods added later have defaults, so a binding written
 * against an earlier version keeps compiling and working.
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
     * Called once per topic metered by name, when it is first published to or subscribed to, and once
     * for all the others (see {@link Hub.Builder#meteredTopics}).
     *
     * @param topic       the topic, or {@code ssekit:other-topics} for every topic not metered by name
     * @param subscribers reads the topic's subscribers now
     * @return where the topic's counts go
     */
    TopicMetrics bind(String topic, IntSupplier subscribers);

    /** Called when the hub closes: remove every metric bound, so none outlives the application. */
    void close();

    /**
     * Called once, when the hub opens: the hub's own gauges, for reading at collection time.
     *
     * @param gauges reads the hub's state now
     */
    default void bindRegistry(RegistryGauges gauges) {
    }

    /**
     * A call to the history store ended, successfully or not.
     *
     * @param store     the store's class, by its simple name ({@code JdbcHistoryStore})
     * @param operation {@code append}, {@code read} (a replay page) or {@code count} (a replay's count of what it missed)
     * @param nanos     how long the call took
     */
    default void storeCall(String store, String operation, long nanos) {
    }

    /**
     * The state of a whole hub, read when metrics are collected: each read visits every
     * connection, so read it at collection, never per event. Thread-safe. ssekit implements it, and
     * may add methods.
     */
    interface RegistryGauges {
        /** @return the connections subscribed to at least one topic or matcher now */
        long clients();

        /** @return the events waiting in the connections' queues now, replays excluded */
        long queuedEvents();

        /** @return the bytes of those events */
        long queuedBytes();

        /** @return the writer threads running now, those held by clients that stopped reading included */
        long writerThreads();

        /** @return the writer threads held now by a client that stopped reading (a blocking sink's write) */
        long stalledWriters();
    }

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

        /**
         * An event was written to one subscriber: the container has taken the frame and flushed it.
         * Called instead of {@link #delivered()}, which the default calls.
         *
         * @param lagNanos from the moment this node accepted the publish to that write; negative when
         *                 not measured: an event this node did not accept itself (such as one another
         *                 node published to a shared store), or a delivery outside the lag's sample
         *                 (an event that may reach more than 32 subscribers on a topic has the lag of
         *                 at most 32 of them measured, an even spread)
         */
        default void delivered(long lagNanos) {
            delivered();
        }

        /**
         * Several events written, each to one subscriber: one writer thread's run of deliveries of this
         * topic, passed on together (ssekit's writer threads hold their deliveries' records and pass
         * them on in bursts). Called instead of {@link #delivered(long)} for each, so that a count
         * can be added once per run rather than once per delivery; the default calls
         * {@link #delivered(long)} for each, and a throw ends the run's records. Deliveries written
         * on other threads still come one by one: override {@link #delivered(long)} as well.
         *
         * @param lagNanos the deliveries' lags, as {@link #delivered(long)} takes them; read them
         *                 during the call only, never keep or change the array
         * @param from     the run's first index
         * @param to       the index after its last; greater than {@code from}
         */
        default void delivered(long[] lagNanos, int from, int to) {
            for (int i = from; i < to; i++) {
                delivered(lagNanos[i]);
            }
        }

        /** A subscriber lost an event to the slow-consumer policy. */
        default void dropped() {
        }

        /** A subscriber was cut by the slow-consumer policy or the write timeout. */
        default void cut() {
        }

        /**
         * A subscriber was cut. Called instead of {@link #cut()}, which the default calls.
         *
         * @param reason {@link Conn.CloseReason#SLOW_CONSUMER} (a full queue, an event waiting too
         *               long, a stalled writer) or {@link Conn.CloseReason#WRITE_TIMEOUT}
         */
        default void cut(Conn.CloseReason reason) {
            cut();
        }

        /** @param events how many events a reconnecting subscriber was replayed */
        default void replayed(int events) {
        }
    }
}
