package dev.ssekit.internal.metrics;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.spi.MetricsBinding;

import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The counts of one topic, kept for {@link dev.ssekit.TopicStats} and passed on to a
 * {@link MetricsBinding}. Counting is contention-free: writer threads add to it concurrently. Each
 * call passes its arguments straight on, with no lambda or box made per event: a delivery costs
 * what the binding's own record costs.
 */
public final class TopicMeter {
    private static final Logger LOG = Logger.getLogger(TopicMeter.class.getName());
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder cut = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private final MetricsBinding.TopicMetrics forward;
    private final boolean deferred; // deliveries go through the writer's DeliveryRecords
    private volatile boolean failureLogged;

    public TopicMeter(MetricsBinding.TopicMetrics forward) {
        this.forward = forward;
        this.deferred = forward != MetricsBinding.TopicMetrics.NONE; // holding what records nothing is no use
    }

    /** A binding that throws must not break delivery: it is logged once and counting goes on. */
    private void failed(RuntimeException e) {
        if (!failureLogged) {
            failureLogged = true;
            LOG.log(Level.WARNING, "ssekit: a MetricsBinding failed; its counts may be incomplete", e);
        }
    }

    /** @param nanos how long storing the event and queueing it to every subscriber took */
    public void published(long nanos) {
        published.increment();
        try {
            forward.published(nanos);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /**
     * Counts a delivery at once; a writer thread ({@link DeliveryRecords.Holder}) passes it to the
     * binding in its next burst, any other thread now.
     *
     * @param lagNanos from accepted publish to the frame written; negative when not measured (not
     *                 accepted on this node, or outside the lag's sample, {@link LagSample})
     */
    public void delivered(long lagNanos) {
        delivered.increment();
        if (deferred && Thread.currentThread() instanceof DeliveryRecords.Holder holder) {
            holder.deliveryRecords().add(this, lagNanos);
        } else {
            record(lagNanos);
        }
    }

    /** Passes one delivery on to the binding. */
    private void record(long lagNanos) {
        try {
            forward.delivered(lagNanos);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** Passes a run of deliveries on to the binding: {@code lagNanos[from]} to {@code lagNanos[to - 1]}. */
    void record(long[] lagNanos, int from, int to) {
        try {
            forward.delivered(lagNanos, from, to);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    public void dropped() {
        dropped.increment();
        try {
            forward.dropped();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** @param reason why the subscriber was cut */
    public void cut(CloseReason reason) {
        cut.increment();
        try {
            forward.cut(reason);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    public void replayed(int events) {
        replayed.add(events);
        try {
            forward.replayed(events);
        } catch (RuntimeException e) {
            failed(e);
        }
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
