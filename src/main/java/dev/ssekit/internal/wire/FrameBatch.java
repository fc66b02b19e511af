package dev.ssekit.internal.wire;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Several events' frames written as one: what a connection had queued when its client could take
 * more, handed to the transport in one write and one flush rather than one of each per event.
 *
 * <p>A container's own SSE writer (RESTEasy's sink, which never uses {@link FrameWriter}) is given
 * the batch through the {@linkplain FramedEvent#commentChannel comment channel}, which it writes
 * unchanged: the client parses the same events.
 */
public final class FrameBatch extends FramedEvent {
    private final int events;
    private volatile String comment;

    private FrameBatch(byte[] frames, int events) {
        super(frames);
        this.events = events;
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
        byte[] joined = new byte[length];
        int at = 0;
        for (FramedEvent f : frames) {
            f.copyFrame(joined, at);
            at += f.frameLength();
        }
        return new FrameBatch(joined, frames.size());
    }

    /** @return how many frames the batch joins */
    public int events() {
        return events;
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
        return "FrameBatch{" + events + " events, " + frameLength() + " bytes}";
    }
}
