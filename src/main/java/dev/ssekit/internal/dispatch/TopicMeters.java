package dev.ssekit.internal.dispatch;

import dev.ssekit.HubStats;
import dev.ssekit.MetricsBinding;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.metrics.TopicMeter;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place the engine reports to: the counts of every topic, made on first use, and the
 * registry's own (its store calls, its queues), all passed on to the registry's
 * {@link MetricsBinding}, whichever target that adapts to (MicroProfile Metrics, OpenTelemetry, one
 * of the application's own). Past {@link #MAX_METERED_TOPICS} topics share one meter, so that
 * metrics stay bounded when topics are per resource ({@code orders/{id}}) or named by clients.
 */
final class TopicMeters implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicMeters.class.getName());
    /** Topics metered one by one; the others share one meter. */
    static final int MAX_METERED_TOPICS = 1000;
    /** The topic tag of the meter the topics beyond {@link #MAX_METERED_TOPICS} share. */
    static final String OTHER_TOPICS = "ssekit:other-topics";

    private final MetricsBinding binding;
    private final ToIntFunction<String> subscribers;
    private final String store;
    private volatile boolean storeCallFailed;
    private final ConcurrentHashMap<String, TopicMeter> meters = new ConcurrentHashMap<>();
    private volatile TopicMeter otherTopics;

    /**
     * @param binding     where counts are reported
     * @param subscribers the subscriber count of a topic, for its gauge
     */
    TopicMeters(MetricsBinding binding, ToIntFunction<String> subscribers) {
        this(binding, subscribers, "HistoryStore", () -> 0, () -> 0);
    }

    /**
     * @param store        names the history store in its calls' durations
     * @param queuedEvents the events queued on every connection now
     * @param queuedBytes  the bytes of those events
     */
    TopicMeters(MetricsBinding binding, ToIntFunction<String> subscribers, String store, LongSupplier queuedEvents,
                LongSupplier queuedBytes) {
        this.binding = Checks.notNull(binding, "metrics");
        this.subscribers = subscribers;
        this.store = store;
        try {
            binding.bindQueues(queuedEvents, queuedBytes);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: the queue gauges could not be registered", e);
        }
    }

    /**
     * A call to the history store ended. Never throws: a binding that does is logged once.
     *
     * @param operation {@code append} or {@code read}
     * @param nanos     how long it took
     */
    void storeCall(String operation, long nanos) {
        try {
            binding.storeCall(store, operation, nanos);
        } catch (RuntimeException e) {
            if (!storeCallFailed) {
                storeCallFailed = true;
                LOG.log(Level.WARNING, "ssekit: a MetricsBinding failed on a store call; its counts may be "
                        + "incomplete", e);
            }
        }
    }

    /** @return the counts of a topic, made on first use; past {@link #MAX_METERED_TOPICS}, the shared one */
    TopicMeter of(String topic) {
        TopicMeter m = meters.get(topic);
        if (m != null) {
            return m;
        }
        if (meters.size() >= MAX_METERED_TOPICS) {
            TopicMeter other = otherTopics;
            if (other == null) {
                synchronized (meters) {
                    other = otherTopics;
                    if (other == null) {
                        other = new TopicMeter(bindSafely(OTHER_TOPICS));
                        otherTopics = other;
                    }
                }
            }
            return other;
        }
        return meters.computeIfAbsent(topic, t -> new TopicMeter(bindSafely(t)));
    }

    private MetricsBinding.TopicMetrics bindSafely(String topic) {
        try {
            return binding.bind(topic, OTHER_TOPICS.equals(topic) ? () -> 0 : () -> subscribers.applyAsInt(topic));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: metrics of topic " + Checks.quote(topic) + " could not be registered", e);
            return MetricsBinding.TopicMetrics.NONE;
        }
    }

    /** @return the counts of {@code topic} */
    HubStats stats(String topic) {
        TopicMeter m = meters.get(topic);
        int subs = subscribers.applyAsInt(topic);
        return m == null ? new HubStats(subs, 0, 0, 0, 0, 0)
                : new HubStats(subs, m.totalPublished(), m.totalDelivered(), m.totalDropped(), m.totalCut(),
                m.totalReplayed());
    }

    @Override
    public void close() {
        try {
            binding.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: removing metrics failed", e);
        }
    }
}
