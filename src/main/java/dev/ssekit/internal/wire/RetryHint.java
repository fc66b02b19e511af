package dev.ssekit.internal.wire;

import dev.ssekit.internal.Checks;

import java.time.Duration;

/**
 * The last thing written when a hub closes: {@code ": closing"} and {@code retry: <ms>} with no
 * {@code data:} line, so that browsers set their reconnection delay without dispatching an event.
 *
 * <p>A container's own writer is given it through the {@linkplain FramedEvent#commentChannel comment
 * channel}: both containers' writers write {@code retry:} only for an event with data, and
 * RESTEasy's writes {@code data: } even for empty data, which dispatches an empty message.
 */
public final class RetryHint extends FramedEvent {
    private final long millis;
    private final String comment;

    public RetryHint(Duration delay) {
        this(Checks.positive(delay, "shutdownRetry").toMillis());
    }

    private RetryHint(long millis) {
        this(millis, ": closing\nretry: " + millis + "\n\n");
    }

    private RetryHint(long millis, String wire) {
        super(wire);
        this.millis = millis;
        this.comment = commentChannel(wire);
    }

    @Override
    public String getComment() {
        return comment;
    }

    @Override
    public long getReconnectDelay() {
        return millis;
    }

    @Override
    public boolean isReconnectDelaySet() {
        return true;
    }

    @Override
    public String toString() {
        return "RetryHint{" + millis + " ms}";
    }
}
