package dev.ssekit.internal.metrics;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Which of an event's deliveries on one topic measure their lag: every one when the fan-out reaches
 * at most {@value #PER_EVENT} subscribers, else an even spread of at most {@value #PER_EVENT} of
 * them: every {@code ceil(subscribers / PER_EVENT)}th, from a random start. Why: the metrics APIs
 * take one value per call (OpenTelemetry's histogram has no count argument), and the SDK's record,
 * some 30 ns, was 5 to 10 % of a delivery's CPU at a thousand subscribers a topic (bench runs AO, AQ).
 * Within an event the sample is an even spread of its deliveries; across events, one that reaches
 * more weighs as {@value #PER_EVENT} (docs/operations.md says what that does to a series that mixes
 * large and small fan-outs). The deliveries themselves are all counted. The start moves with each
 * event, so no subscriber is left out of the sample for good.
 *
 * <p>One cursor per fan-out: not thread-safe.
 */
public final class LagSample {
    /** Deliveries of one event on one topic whose lag is measured, at most. */
    public static final int PER_EVENT = 32;

    private int stride = 1;
    private int untilNext;

    /**
     * Starts an event's fan-out on one topic.
     *
     * @param subscribers how many subscribers the fan-out may reach there (before their filters)
     */
    public void start(int subscribers) {
        stride = stride(subscribers);
        untilNext = stride == 1 ? 0 : ThreadLocalRandom.current().nextInt(stride);
    }

    /** @return every how many of {@code subscribers} deliveries one measures its lag: {@code ceil(subscribers / PER_EVENT)}, at least 1 */
    public static int stride(int subscribers) {
        return Math.max(1, (subscribers + PER_EVENT - 1) / PER_EVENT);
    }

    /** @return whether the event's next delivery on the topic measures its lag */
    public boolean next() {
        if (untilNext == 0) {
            untilNext = stride - 1;
            return true;
        }
        untilNext--;
        return false;
    }
}
