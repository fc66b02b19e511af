package dev.ssekit.internal;

import dev.ssekit.SubscriberLimitException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * ssekit's plain-text answers, the library's ({@code @Subscribe}) and the hub app's alike: the body
 * says what is wrong, on one line.
 */
public final class TextResponses {
    /** Seconds a client refused for a subscriber limit is asked to wait before it retries. */
    public static final int RETRY_AFTER_SECONDS = 10;
    /**
     * Every plain-text answer's type, on every path (JAX-RS, a servlet filter, the embedded server's
     * front): messages quote clients' values, which may be any Unicode.
     */
    public static final String CONTENT_TYPE = "text/plain;charset=utf-8";
    /** {@link #CONTENT_TYPE} for JAX-RS responses. */
    public static final MediaType TYPE = MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8");

    private TextResponses() {
    }

    /** @return a response with {@code message} and a line end as its body, to add headers to */
    public static Response.ResponseBuilder text(Response.StatusType status, String message) {
        return Response.status(status).type(TYPE).entity(message + "\n");
    }

    /** @return 503 with {@code Retry-After} and the limit that was reached */
    public static WebApplicationException retryLater(SubscriberLimitException e) {
        return new WebApplicationException(e.getMessage(), text(Response.Status.SERVICE_UNAVAILABLE, e.getMessage())
                .header("Retry-After", RETRY_AFTER_SECONDS).build());
    }
}
