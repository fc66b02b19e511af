package dev.ssekit;

/**
 * Thrown when registering with, or broadcasting on, a {@link Topic} or {@link Hub} that has been
 * closed (the Go package's {@code ErrHubClosed}).
 */
public final class HubClosedException extends SseKitException {
    private static final long serialVersionUID = 1L;

    /**
     * @param what the closed hub or registry, as a human reads it
     */
    public HubClosedException(String what) {
        super(what + " is closed");
    }
}
