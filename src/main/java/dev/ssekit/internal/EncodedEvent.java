package dev.ssekit.internal;

import dev.ssekit.Event;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;


/**
 * An {@link Event} in the JAX-RS form, made once per broadcast and shared by every connection it
 * is sent to: the data's line breaks are already LF (the containers' writers split data on LF), and
 * no {@code Sse} builder is needed per event. The container's own writer frames it.
 */
public final class EncodedEvent implements OutboundSseEvent {
    private final Event event;
    private final String dataWithLf;

    private EncodedEvent(Event event) {
        this.event = event;
        this.dataWithLf = event.isComment() ? null : event.dataWithLf();
    }

    /** Prepares {@code event} once. */
    public static EncodedEvent of(Event event) {
        return new EncodedEvent(Checks.notNull(event, "event"));
    }

    /** @return the event */
    public Event event() {
        return event;
    }

    @Override
    public Class<?> getType() {
        return dataWithLf == null ? null : String.class;
    }

    @Override
    public java.lang.reflect.Type getGenericType() {
        return getType();
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.TEXT_PLAIN_TYPE;
    }

    @Override
    public String getComment() {
        return event.commentWithLf();
    }

    @Override
    public String getId() {
        return event.id().orElse(null);
    }

    @Override
    public String getName() {
        return event.type().orElse(null);
    }

    @Override
    public String getData() {
        return dataWithLf;
    }

    @Override
    public long getReconnectDelay() {
        return event.retry().map(java.time.Duration::toMillis).orElse(RECONNECT_NOT_SET);
    }

    @Override
    public boolean isReconnectDelaySet() {
        return event.retry().isPresent();
    }

    @Override
    public String toString() {
        return event.toString();
    }
}
