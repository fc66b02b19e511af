package dev.ssekit.internal.metrics;

import dev.ssekit.MetricsBinding;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The counts of one topic, kept for {@link dev.ssekit.HubStats} and passed on to a
 * {@link MetricsBinding}. Counting is contention-free: writer threads add to it concurrently.
 */
public final class TopicMeter {
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder cut = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private static final Logger LOG = Logger.getLogger(TopicMeter.class.getName());
    private final MetricsBinding.TopicMetrics forward;
    private volatile boolean failureLogged;

    public TopicMeter(MetricsBinding.TopicMetrics forward) {
        this.forward = forward;
    }

    /** A binding that throws must not break delivery: it is logged once and counting goes on. */
    private void forward(Consumer<MetricsBinding.TopicMetrics> call) {
        try {
            call.accept(forward);
        } catch (RuntimeException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(Level.WARNING, "ssekit: a MetricsBinding failed; its counts may be incomplete", e);
            }
        }
    }

    public void published(long nanos) {
        published.increment();
        forward(m -> m.published(nanos));
    }

    public void delivered() {
        delivered.increment();
        forward(MetricsBinding.TopicMetrics::delivered);
    }

    public void dropped() {
        dropped.increment();
        forward(MetricsBinding.TopicMetrics::dropped);
    }

    public void cut() {
        cut.increment();
        forward(MetricsBinding.TopicMetrics::cut);
    }

    public void replayed(int events) {
        replayed.add(events);
        forward(m -> m.replayed(events));
    }

    public long totalPublished() {
        return published.sum();
    }

    public long totalDelivered() {
        return delivered.sum();
    }

    public long totalDropped() {
        return dropped.sum();
    }

    public long totalCut() {
        return cut.sum();
    }

    public long totalReplayed() {
        return replayed.sum();
    }
}
