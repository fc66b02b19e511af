package dev.ssekit.internal.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Several events' frames written as one: what a connection had queued when its client could take
 * more, handed to the transport in one write and one flush rather than one of each per event.
 *
 * <p>The frames are shared by every connection, so a batch keeps them as they are: a transport that
 * gathers buffers (Grizzly's) writes them with {@link #forEachFrame}, copying nothing; they are
 * joined into one array only for a writer that needs one ({@link #frameBytes()}), once.
 *
 * <p>A container's own SSE writer (RESTEasy's sink, which never uses {@link FrameWriter}) is given
 * the batch through the {@linkplain FramedEvent#commentChannel comment channel}, which it writes
 * unchanged: the client parses the same events.
 */
public final class FrameBatch extends FramedEvent {
    private final FramedEvent[] parts;
    private final int length;
    private volatile byte[] joined;
    private volatile String comment;

    private FrameBatch(FramedEvent[] parts, int length) {
        super((byte[]) null);
        this.parts = parts;
        this.length = length;
    }

    /**
     * @param frames the events, in the order they are written
     * @return one event when {@code frames} holds one, else their frames joined
     * @throws IllegalArgumentException if {@code frames} is empty
     */
    public static FramedEvent of(List<? extends FramedEvent> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("frames is empty");
        }
        if (frames.size() == 1) {
            return frames.get(0);
        }
        int length = 0;
        for (FramedEvent f : frames) {
            length = Math.addExact(length, f.frameLength());
        }
        return new FrameBatch(frames.toArray(new FramedEvent[0]), length);
    }

    /** @return how many frames the batch joins */
    public int events() {
        return parts.length;
    }

    @Override
    public void forEachFrame(FrameSink sink) throws IOException {
        for (FramedEvent part : parts) {
            part.forEachFrame(sink);
        }
    }

    @Override
    public void writeFrame(OutputStream out) throws IOException {
        out.write(frameBytes());
    }

    @Override
    public int frameLength() {
        return length;
    }

    @Override
    void copyFrame(byte[] target, int offset) {
        int at = offset;
        for (FramedEvent part : parts) {
            part.copyFrame(target, at);
            at += part.frameLength();
        }
    }

    /** @return the frames joined, made on the first call */
    @Override
    public byte[] frameBytes() {
        byte[] j = joined;
        if (j == null) {
            j = new byte[length];
            copyFrame(j, 0);
            joined = j;
        }
        return j;
    }

    @Override
    public String getComment() {
        String c = comment;
        if (c == null) {
            c = commentChannel(new String(frameBytes(), StandardCharsets.UTF_8));
            comment = c;
        }
        return c;
    }

    @Override
    public long getReconnectDelay() {
        return RECONNECT_NOT_SET;
    }

    @Override
    public boolean isReconnectDelaySet() {
        return false;
    }

    @Override
    public String toString() {
        return "FrameBatch{" + parts.length + " events, " + frameLength() + " bytes}";
    }
}
