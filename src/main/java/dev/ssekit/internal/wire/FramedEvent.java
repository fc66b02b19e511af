package dev.ssekit.internal.wire;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * An event that ssekit frames itself: it carries its exact event-stream bytes, which
 * {@link FrameWriter} writes as they are. Made once per broadcast and shared by every connection.
 *
 * <p>Its {@link OutboundSseEvent} getters are what a container's own SSE writer reads where it does
 * not use {@code FrameWriter} (RESTEasy's sink always uses its own; see {@link FrameWriter}). They
 * present the event in a form that writer frames to the same stream as these bytes, by the WHATWG
 * rules: either the plain fields, or, when the plain fields would lose a line, the
 * {@linkplain #commentChannel(String) comment channel}.
 */
public abstract sealed class FramedEvent implements OutboundSseEvent permits EncodedEvent, RetryHint, FrameBatch {
    private final byte[] frame; // null in a batch, which has its parts' frames

    /** @param wire the exact event-stream text, ending with the blank line */
    FramedEvent(String wire) {
        this.frame = wire.getBytes(StandardCharsets.UTF_8);
    }

    /** @param frame the exact event-stream bytes, ending with the blank line; kept, not copied */
    FramedEvent(byte[] frame) {
        this.frame = frame;
    }

    /** What {@link #forEachFrame} hands each frame to. */
    @FunctionalInterface
    public interface FrameSink {
        /** @param frame one event's exact bytes; shared, never to be changed */
        void frame(byte[] frame) throws IOException;
    }

    /** Writes the exact bytes of this event, blank line included. */
    public void writeFrame(OutputStream out) throws IOException {
        out.write(frame);
    }

    /**
     * Hands {@code sink} the exact bytes of each event this holds, in order, without joining them: a
     * transport that gathers buffers writes a batch with no copy.
     */
    public void forEachFrame(FrameSink sink) throws IOException {
        sink.frame(frame);
    }

    /** @return the length of the exact bytes */
    public int frameLength() {
        return frame.length;
    }

    /** Copies the exact bytes into {@code target} at {@code offset}. */
    void copyFrame(byte[] target, int offset) {
        System.arraycopy(frame, 0, target, offset, frame.length);
    }

    /**
     * @return the {@link System#nanoTime()} at which this node accepted the publish of this event, for
     *         the delivery lag; 0 when unknown (a comment, a batch, an event this node did not accept)
     */
    public long acceptedNanos() {
        return 0;
    }

    /** @return the exact bytes; shared, never to be changed */
    public byte[] frameBytes() {
        return frame;
    }

    /**
     * The event as one comment for a writer that splits comments on LF only and writes everything
     * else in them as it is (RESTEasy 6.2's {@code SseEventProvider}): every line of the frame, with
     * CR as the line break, which an event-stream parser honours like LF. The writer adds the
     * {@code ": "} before it and the LF and blank line after it, so the stream holds the same fields
     * as the frame; a frame that does not start with a comment gets an empty comment line first.
     *
     * @param wire the exact event-stream text, ending with the blank line
     * @return the comment to hand to such a writer
     */
    static String commentChannel(String wire) {
        String body = wire.substring(0, wire.length() - 2); // the last line's LF and the blank line
        return body.startsWith(": ")
                ? body.substring(2).replace('\n', '\r')
                : "\r" + body.replace('\n', '\r');
    }

    // What a container's own writer reads of a frame given only through the comment channel (a
    // retry hint, a batch): no fields of its own, so that it writes the comment and nothing else.
    // EncodedEvent, which may present plain fields, overrides them.

    @Override
    public Class<?> getType() {
        return null;
    }

    @Override
    public Type getGenericType() {
        return null;
    }

    @Override
    public MediaType getMediaType() {
        return MediaType.TEXT_PLAIN_TYPE;
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
        return null;
    }
}
