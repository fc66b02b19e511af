package dev.ssekit.app;

import dev.ssekit.app.mercure.JsonStrings;
import dev.ssekit.internal.TextResponses;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** The hub's plain-text refusals ({@link TextResponses}, as the library's): the body says what is wrong, on one line. */
public final class PlainText {
    /** How much of a client's value a message shows. */
    private static final int SHOWN_CHARS = 80;

    private PlainText() {
    }

    /** @return a response with {@code message} as its plain-text body, to add headers to */
    public static Response.ResponseBuilder text(Response.StatusType status, String message) {
        return TextResponses.text(status, message);
    }

    /** @return an exception that answers {@code status} with {@code message} as the body */
    public static WebApplicationException error(Response.StatusType status, String message) {
        return new WebApplicationException(message, text(status, message).build());
    }

    /** @return 429 with {@code Retry-After}: the client holds all the connections it may */
    public static WebApplicationException tooManyRequests(String message) {
        return new WebApplicationException(message, text(Response.Status.TOO_MANY_REQUESTS, message)
                .header("Retry-After", TextResponses.RETRY_AFTER_SECONDS).build());
    }

    /** @return a client's value as a quoted literal, control characters escaped, cut if long */
    public static String quote(String value) {
        return value.length() <= SHOWN_CHARS ? JsonStrings.quote(value)
                : JsonStrings.quote(value.substring(0, SHOWN_CHARS)) + "... (" + value.length() + " chars)";
    }
}
