package dev.ssekit;

/** The base of every exception ssekit throws for a state it cannot work in. */
public class SseKitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the thing concerned
     */
    public SseKitException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the thing concerned
     * @param cause   the underlying failure
     */
    public SseKitException(String message, Throwable cause) {
        super(message, cause);
    }
}
