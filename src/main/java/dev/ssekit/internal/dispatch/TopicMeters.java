package dev.ssekit.internal.dispatch;

import dev.ssekit.TopicStats;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.metrics.TopicMeter;
import dev.ssekit.spi.MetricsBinding;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place the engine reports to: the counts of every topic, made on first use, and the
 * registry's own (its store calls, its gauges), all passed on to the registry's
 * {@link MetricsBinding}, whichever target that adapts to (MicroProfile Metrics, OpenTelemetry, one
 * of the application's own).
 *
 * <h2>Bounded series</h2>
 * A binding sees a topic by name only when it is metered: one of the configured topics
 * ({@code Hub.Builder#meteredTopics}), or, with none configured, one of the first
 * {@link #MAX_METERED_TOPICS}. Every other topic reports under the one name {@link #OTHER_TOPICS}:
 * topics per resource ({@code orders/{id}}) or named by clients (a Mercure hub's) never make one
 * series each. {@link TopicStats} keeps per-topic counts for the first {@link #MAX_METERED_TOPICS}
 * whatever is configured.
 */
final class TopicMeters implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicMeters.class.getName());
    /** Hub counted one by one; the others share one meter. */
    static final int MAX_METERED_TOPICS = 1000;
    /** The topic tag of the meter the topics beyond {@link #MAX_METERED_TOPICS} share. */
    static final String OTHER_TOPICS = "ssekit:other-topics";

    private final MetricsBinding binding;
    private final ToIntFunction<String> subscribers;
    private final Set<String> metered; // null: the first MAX_METERED_TOPICS
    private final java.util.function.IntSupplier subscriptions;
    private final String store;
    private final ConcurrentHashMap<String, TopicMeter> meters = new ConcurrentHashMap<>();
    // The topics the binding sees by name, for the shared series' subscriber gauge.
    private final Set<String> named = ConcurrentHashMap.newKeySet();
    private volatile TopicMeter otherTopics;
    private volatile MetricsBinding.TopicMetrics otherMetrics;
    private volatile boolean storeCallFailed;

    /**
     * @param binding       where counts are reported
     * @param subscribers   the subscriber count of a topic, for its gauge
     * @param metered       the topics a binding sees by name; null for the first {@link #MAX_METERED_TOPICS}
     * @param store         names the history store in its calls' durations
     * @param gauges        the registry's own gauges
     * @param subscriptions the exact-topic subscriptions of every topic now, for the shared series
     */
    TopicMeters(MetricsBinding binding, ToIntFunction<String> subscribers, Set<String> metered, String store,
                MetricsBinding.RegistryGauges gauges, java.util.function.IntSupplier subscriptions) {
        this.binding = Checks.notNull(binding, "metrics");
        this.subscribers = subscribers;
        this.metered = metered == null ? null : Set.copyOf(metered);
        this.store = store;
        this.subscriptions = Checks.notNull(subscriptions, "subscriptions");
        Checks.notNull(gauges, "gauges");
        try {
            binding.bindRegistry(gauges);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: the registry's gauges could not be registered", e);
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
                        other = new TopicMeter(otherMetrics());
                        otherTopics = other;
                    }
                }
            }
            return other;
        }
        return meters.computeIfAbsent(topic, t -> new TopicMeter(metered == null || metered.contains(t)
                ? bindNamed(t) : otherMetrics()));
    }

    /** @return where the topics not metered by name report: bound once, on first use */
    private MetricsBinding.TopicMetrics otherMetrics() {
        MetricsBinding.TopicMetrics other = otherMetrics;
        if (other == null) {
            synchronized (named) {
                other = otherMetrics;
                if (other == null) {
                    other = bindSafely(OTHER_TOPICS, this::otherSubscribers);
                    otherMetrics = other;
                }
            }
        }
        return other;
    }

    /** @return the exact-topic subscriptions of every topic not metered by name */
    private int otherSubscribers() {
        int sum = subscriptions.getAsInt();
        for (String t : named) {
            sum -= subscribers.applyAsInt(t);
        }
        return Math.max(0, sum);
    }

    private MetricsBinding.TopicMetrics bindNamed(String topic) {
        named.add(topic);
        return bindSafely(topic, () -> subscribers.applyAsInt(topic));
    }

    private MetricsBinding.TopicMetrics bindSafely(String topic, java.util.function.IntSupplier count) {
        try {
            return binding.bind(topic, count);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: metrics of topic " + Checks.quote(topic) + " could not be registered", e);
            return MetricsBinding.TopicMetrics.NONE;
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

    /** @return the counts of {@code topic} */
    TopicStats stats(String topic) {
        TopicMeter m = meters.get(topic);
        int subs = subscribers.applyAsInt(topic);
        return m == null ? new TopicStats(subs, 0, 0, 0, 0, 0)
                : new TopicStats(subs, m.totalPublished(), m.totalDelivered(), m.totalDropped(), m.totalCut(),
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
