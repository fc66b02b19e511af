package dev.ssekit;

/**
 * Thrown when sending on a {@link Conn} that has ended, and used to fail the send stages that were
 * still queued when it ended (the Go package's {@code ErrConnectionClosed}).
 */
public final class ConnectionClosedException extends SseKitException {
    private static final long serialVersionUID = 1L;

    private final Conn.CloseReason reason;

    /**
     * @param reason why the connection ended
     */
    public ConnectionClosedException(Conn.CloseReason reason) {
        super("connection is closed (" + reason + ")");
        this.reason = reason;
    }

    /** @return why the connection ended */
    public Conn.CloseReason reason() {
        return reason;
    }
}
