package dev.ssekit.internal.wire;

import dev.ssekit.internal.Checks;
import dev.ssekit.Event;

import jakarta.ws.rs.core.MediaType;

import java.nio.charset.StandardCharsets;

/**
 * An {@link Event} in the JAX-RS form, made once per broadcast and shared by every connection it
 * is sent to: its exact event-stream bytes for {@link FrameWriter}, and the fields a container's own
 * writer reads where that writer is not used (see {@link FramedEvent}). No {@code Sse} builder is
 * needed per event.
 *
 * <p>Everything is encoded here once, not per subscriber: the frame and the data are UTF-8 bytes,
 * which a writer copies as they are, whereas a {@code String} would be encoded again for every
 * subscriber (Jersey makes a new {@code OutputStreamWriter}, with its 8 KB buffer, per write).
 */
public final class EncodedEvent extends FramedEvent {
    private final Event event;
    private final byte[] data;
    private final boolean plain;
    private final String comment;
    private final String id;
    private final String name;
    private final long reconnectDelay;
    private final long acceptedNanos;

    private EncodedEvent(Event event, String wire, long acceptedNanos) {
        super(wire);
        this.event = event;
        this.acceptedNanos = acceptedNanos;
        String dataLf = event.isComment() ? null : withLf(event.data());
        String commentLf = event.commentText().map(EncodedEvent::withLf).orElse(null);
        this.data = dataLf == null ? null : dataLf.getBytes(StandardCharsets.UTF_8);
        this.plain = dataLf != null ? keepsEveryLine(dataLf) : !commentLf.endsWith("\n");
        this.comment = plain ? commentLf : commentChannel(wire);
        this.id = event.id().orElse(null);
        this.name = event.type().orElse(null);
        this.reconnectDelay = event.retry().map(java.time.Duration::toMillis).orElse(RECONNECT_NOT_SET);
    }

    /**
     * The text with every line break (CRLF, LF or CR) turned into LF: the form handed to a container's
     * own SSE writer, which splits data into {@code data:} lines on LF only.
     */
    static String withLf(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /**
     * Whether RESTEasy's writer keeps every line of this data, given as plain fields: it merges
     * consecutive line breaks, so an empty line after the first is lost (a first empty line survives,
     * since {@code data: } is written before it). Jersey's writer keeps every line of non-empty data,
     * and where its writer is used instead of {@link FrameWriter} empty data is the only loss.
     */
    private static boolean keepsEveryLine(String dataLf) {
        return !dataLf.contains("\n\n") && !dataLf.endsWith("\n");
    }

    /** Prepares {@code event} once. */
    public static EncodedEvent of(Event event) {
        return of(event, 0);
    }

    /**
     * Prepares a live event once, stamped with when its publish was accepted: one field on the frame
     * every subscriber shares, so measuring the delivery lag makes nothing per delivery.
     *
     * @param acceptedNanos the {@link System#nanoTime()} of the accept; 0 when unknown
     */
    public static EncodedEvent of(Event event, long acceptedNanos) {
        Checks.notNull(event, "event");
        return new EncodedEvent(event, event.toWireFormat(), acceptedNanos);
    }

    @Override
    public long acceptedNanos() {
        return acceptedNanos;
    }

    /** @return the event */
    public Event event() {
        return event;
    }

    /**
     * @return {@code byte[]} for a message event given as plain fields; null for a comment, and for an
     *         event given through the comment channel, so that a container's writer writes no fields
     *         of its own
     */
    @Override
    public Class<?> getType() {
        return plain && data != null ? byte[].class : null;
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

    /** @return the event's id, whichever form the container is given (ssekit reads it) */
    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getName() {
        return name;
    }

    /** @return the data with LF line breaks, as UTF-8; null for a comment event */
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
