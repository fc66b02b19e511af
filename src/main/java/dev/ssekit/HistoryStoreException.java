package dev.ssekit;

/**
 * Thrown when a history store cannot do what was asked: it is unreachable, it refused the request,
 * or it is closed. An append that fails with it acknowledged nothing: the publisher may retry (with
 * its own id, a retry of what was in fact kept is refused as a duplicate). Unless the store says
 * otherwise ({@link #notStored}), the append may still have been kept (a commit whose answer was
 * lost), and ssekit reads back what the store holds before its next append.
 */
public final class HistoryStoreException extends SseKitException {
    private static final long serialVersionUID = 1L;

    private final boolean closed;
    private final boolean mayHaveStored;

    /**
     * @param message what failed, naming the store and the operation
     * @param cause   the underlying failure, or null
     */
    public HistoryStoreException(String message, Throwable cause) {
        this(message, cause, false, true);
    }

    private HistoryStoreException(String message, Throwable cause, boolean closed, boolean mayHaveStored) {
        super(message, cause);
        this.closed = closed;
        this.mayHaveStored = mayHaveStored;
    }

    /**
     * @param store the closed store, as a human reads it
     * @return the exception for a call on a closed store
     */
    public static HistoryStoreException closed(String store) {
        return new HistoryStoreException(store + " is closed", null, true, false);
    }

    /**
     * For a store that knows a failed append kept nothing: it failed before its commit was sent (no
     * connection, a statement refused).
     *
     * @param message what failed, naming the store and the operation
     * @param cause   the underlying failure, or null
     * @return the exception
     */
    public static HistoryStoreException notStored(String message, Throwable cause) {
        return new HistoryStoreException(message, cause, false, false);
    }

    /** @return false when the store knows the failed call kept nothing; true when it may have */
    public boolean mayHaveStored() {
        return mayHaveStored;
    }

    /** @return true when the store was closed, rather than failing */
    public boolean isClosed() {
        return closed;
    }
}
