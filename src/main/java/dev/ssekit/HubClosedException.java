package dev.ssekit;

/**
 * Thrown when subscribing to, or publishing on, a {@link Hub} (or one of its {@link Topic}s) that has been
 * closed (the Go package's {@code ErrHubClosed}).
 */
public final class HubClosedException extends SseKitException {
    private static final long serialVersionUID = 1L;

    /**
     * @param what the closed hub, as a human reads it
     */
    public HubClosedException(String what) {
        super(what + " is closed");
    }
}
