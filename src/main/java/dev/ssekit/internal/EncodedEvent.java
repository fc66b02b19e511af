package dev.ssekit.internal;

import dev.ssekit.Event;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;

import java.nio.charset.StandardCharsets;

/**
 * An {@link Event} in the JAX-RS form, made once per broadcast and shared by every connection it
 * is sent to: the data's line breaks are already LF (the containers' writers split data on LF), and
 * no {@code Sse} builder is needed per event. The container's own writer frames it.
 *
 * <p>The data is UTF-8 bytes, encoded here once: a container writes a {@code byte[]} as it is,
 * whereas a {@code String} is encoded again for every subscriber (Jersey makes a new
 * {@code OutputStreamWriter}, with its 8 KB buffer, per write). The fields a container reads per
 * write are computed once too.
 */
public final class EncodedEvent implements OutboundSseEvent {
    private final Event event;
    private final byte[] data;
    private final String id;
    private final String name;
    private final String comment;
    private final long reconnectDelay;

    private EncodedEvent(Event event) {
        this.event = event;
        this.data = event.isComment() ? null : event.dataWithLf().getBytes(StandardCharsets.UTF_8);
        this.id = event.id().orElse(null);
        this.name = event.type().orElse(null);
        this.comment = event.commentWithLf();
        this.reconnectDelay = event.retry().map(java.time.Duration::toMillis).orElse(RECONNECT_NOT_SET);
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
        return data == null ? null : byte[].class;
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
        return comment;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public byte[] getData() {
        return data;
    }

    @Override
    public long getReconnectDelay() {
        return reconnectDelay;
    }

    @Override
    public boolean isReconnectDelaySet() {
        return reconnectDelay != RECONNECT_NOT_SET;
    }

    @Override
    public String toString() {
        return event.toString();
    }
}
