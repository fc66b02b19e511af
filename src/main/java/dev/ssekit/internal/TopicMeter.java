package dev.ssekit.internal;

import dev.ssekit.MetricsBinding;

import java.util.concurrent.atomic.LongAdder;
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

    TopicMeter(MetricsBinding.TopicMetrics forward) {
        this.forward = forward;
    }

    /** A binding that throws must not break delivery: it is logged once and counting goes on. */
    private void bindingFailed(RuntimeException e) {
        if (!failureLogged) {
            failureLogged = true;
            LOG.log(Level.WARNING, "ssekit: a MetricsBinding failed; its counts may be incomplete", e);
        }
    }

    void published(long nanos) {
        published.increment();
        try {
            forward.published(nanos);
        } catch (RuntimeException e) {
            bindingFailed(e);
        }
    }

    void delivered() {
        delivered.increment();
        try {
            forward.delivered();
        } catch (RuntimeException e) {
            bindingFailed(e);
        }
    }

    void dropped() {
        dropped.increment();
        try {
            forward.dropped();
        } catch (RuntimeException e) {
            bindingFailed(e);
        }
    }

    void cut() {
        cut.increment();
        try {
            forward.cut();
        } catch (RuntimeException e) {
            bindingFailed(e);
        }
    }

    void replayed(int events) {
        replayed.add(events);
        try {
            forward.replayed(events);
        } catch (RuntimeException e) {
            bindingFailed(e);
        }
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
