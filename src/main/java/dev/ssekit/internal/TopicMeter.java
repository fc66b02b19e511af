package dev.ssekit.internal;

import dev.ssekit.MetricsBinding;

import java.util.concurrent.atomic.LongAdder;

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
    private final MetricsBinding.TopicMetrics forward;

    TopicMeter(MetricsBinding.TopicMetrics forward) {
        this.forward = forward;
    }

    void published(long nanos) {
        published.increment();
        forward.published(nanos);
    }

    void delivered() {
        delivered.increment();
        forward.delivered();
    }

    void dropped() {
        dropped.increment();
        forward.dropped();
    }

    void cut() {
        cut.increment();
        forward.cut();
    }

    void replayed(int events) {
        replayed.add(events);
        forward.replayed(events);
    }

    long totalPublished() {
        return published.sum();
    }

    long totalDelivered() {
        return delivered.sum();
    }

    long totalDropped() {
        return dropped.sum();
    }

    long totalCut() {
        return cut.sum();
    }

    long totalReplayed() {
        return replayed.sum();
    }
}
