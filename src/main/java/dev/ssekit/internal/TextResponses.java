package dev.ssekit.internal;

import dev.ssekit.SubscriberLimitException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The plain-text refusal of ssekit's own endpoints ({@code @Subscribe}): the body says what is wrong. */
public final class TextResponses {
    /** Seconds a client refused for a subscriber limit is asked to wait before it retries. */
    public static final int RETRY_AFTER_SECONDS = 10;

    private TextResponses() {
    }

    /** @return 503 with {@code Retry-After} and the limit that was reached */
    public static WebApplicationException retryLater(SubscriberLimitException e) {
        return new WebApplicationException(e.getMessage(), Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .type(MediaType.TEXT_PLAIN_TYPE).entity(e.getMessage() + "\n")
                .header("Retry-After", RETRY_AFTER_SECONDS).build());
    }
}
