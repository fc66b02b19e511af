package dev.ssekit.internal.metrics;

import java.util.Arrays;

/**
 * The deliveries one writer thread has written but not yet passed to the metrics binding, passed on
 * in a burst when the thread has no more to write or when {@link #CAPACITY} are held. Why: a
 * binding's per-delivery record (OpenTelemetry's histogram of the delivery lag) made by two writers
 * at once on one topic contends on the histogram's shared state, and cost 130 to 160 ns a delivery
 * against 35 to 40 ns made by one thread (bench {@code LagRecordBench}); in bursts the records
 * interleave rarely. Every delivery is still passed on, with the lag taken at its write (negative
 * outside the lag's sample, {@link LagSample}); only the record is later, by at most the thread's
 * current run of writes. Confined to its thread.
 */
public final class DeliveryRecords {
    /** Deliveries held before a burst is passed on: about a writer's 64 KiB batch of small events. */
    static final int CAPACITY = 256;

    /** A thread that holds deliveries for its binding: ssekit's writer threads. */
    public interface Holder {
        DeliveryRecords deliveryRecords();
    }

    private final TopicMeter[] meters = new TopicMeter[CAPACITY];
    private final long[] lags = new long[CAPACITY];
    private int size;

    /** Holds one delivery of {@code meter}'s topic; passes the burst on once {@link #CAPACITY} are held. */
    public void add(TopicMeter meter, long lagNanos) {
        meters[size] = meter;
        lags[size] = lagNanos;
        if (++size == CAPACITY) {
            flush();
        }
    }

    /**
     * Passes every delivery held on to its binding, a run of one topic's in one call (a writer mostly
     * writes one connection's batch of one topic); call before the thread waits for more work.
     */
    public void flush() {
        int n = size;
        size = 0;
        int from = 0;
        while (from < n) {
            TopicMeter meter = meters[from];
            int to = from + 1;
            while (to < n && meters[to] == meter) {
                to++;
            }
            meter.record(lags, from, to);
            Arrays.fill(meters, from, to, null);
            from = to;
        }
    }
}
