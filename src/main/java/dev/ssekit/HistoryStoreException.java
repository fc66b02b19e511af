package dev.ssekit;

/**
 * Thrown when a history store cannot do what was asked: it is unreachable, it refused the request,
 * or it is closed. An append that fails with it acknowledged nothing: the publisher may retry.
 */
public class HistoryStoreException extends SseKitException {
    private static final long serialVersionUID = 1L;

    private final boolean closed;

    /**
     * @param message what failed, naming the store and the operation
     * @param cause   the underlying failure, or null
     */
    public HistoryStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private HistoryStoreException(String message, Throwable cause, boolean closed) {
        super(message, cause);
        this.closed = closed;
    }

    /**
     * @param store the closed store, as a human reads it
     * @return the exception for a call on a closed store
     */
    public static HistoryStoreException closed(String store) {
        return new HistoryStoreException(store + " is closed", null, true);
    }

    /** @return true when the store was closed, rather than failing */
    public boolean isClosed() {
        return closed;
    }
}
