package dev.ssekit;

/**
 * Fails the send stage of an event that {@link OverflowPolicy#DROP_OLDEST} dropped: the client's
 * queue was full and newer events took its place. The connection stays open.
 */
public final class EventDroppedException extends SseKitException {
    private static final long serialVersionUID = 1L;

    /** Made by ssekit when it drops a queued event. */
    public EventDroppedException() {
        super("event dropped: the client's queue was full (overflow policy DROP_OLDEST)");
    }
}
