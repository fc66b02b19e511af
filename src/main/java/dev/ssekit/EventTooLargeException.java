package dev.ssekit;

/**
 * Thrown by a publish whose event's data, in UTF-8, is over the hub's
 * {@link Hub.Builder#maxEventSize maximum}: nothing was stored or sent. An
 * {@link IllegalArgumentException}, as before it had a type of its own, so that callers can tell
 * "too large" (HTTP 413) from other bad input (400).
 */
public final class EventTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final int limit;

    /**
     * @param size  the data's size in UTF-8 bytes
     * @param limit the maximum, in bytes
     */
    public EventTooLargeException(long size, int limit) {
        super("data: the event is " + size + " bytes, over the limit of " + limit + " (maxEventSize)");
        this.size = size;
        this.limit = limit;
    }

    /** @return the data's size in UTF-8 bytes */
    public long size() {
        return size;
    }

    /** @return the maximum, in bytes */
    public int limit() {
        return limit;
    }
}
