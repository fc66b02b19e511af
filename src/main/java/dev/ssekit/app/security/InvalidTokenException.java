package dev.ssekit.app.security;

/** A token was refused: the message says why, in words safe to send to the client. */
public final class InvalidTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason why, never quoting the token or a key */
    public InvalidTokenException(String reason) {
        super(reason, null, false, false);
    }
}
