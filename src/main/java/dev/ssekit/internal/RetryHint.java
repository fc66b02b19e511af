package dev.ssekit.internal;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;

import java.lang.reflect.Type;
import java.time.Duration;

/**
 * The last thing written when a hub closes: {@code ": closing"} and {@code retry: <ms>} with no
 * data, so that browsers set their reconnection delay without dispatching an event. It has a type
 * and empty data because the containers' writers write {@code retry:} only for events with data,
 * and write no {@code data:} line for empty data.
 */
final class RetryHint implements OutboundSseEvent {
    private final long millis;

    RetryHint(Duration delay) {
        this.millis = Checks.positive(delay, "shutdownRetry").toMillis();
    }

    @Override
    public Class<?> getType() {
        return String.class;
    }

    @Override
    public Type getGenericType() {
        return String.class;
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.TEXT_PLAIN_TYPE;
    }

    @Override
    public String getComment() {
        return "closing";
    }

    @Override
    public String getId() {
        return null;
    }

    @Override
    public String getName() {
        return null;
    }

    @Override
    public Object getData() {
        return "";
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
