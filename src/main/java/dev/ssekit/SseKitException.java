package dev.ssekit;

/**
 * The base of the exceptions ssekit throws for a state it cannot work in; each kind is a subclass.
 * A caller's mistake is an {@link IllegalArgumentException} instead.
 */
public abstract class SseKitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, naming the thing concerned
     */
    protected SseKitException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the thing concerned
     * @param cause   the underlying failure
     */
    protected SseKitException(String message, Throwable cause) {
        super(message, cause);
    }
}
