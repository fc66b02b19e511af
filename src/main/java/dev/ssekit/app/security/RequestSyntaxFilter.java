package dev.ssekit.app.security;

import dev.ssekit.app.PlainText;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.nio.charset.StandardCharsets;

/**
 * Refuses, with a 400 naming the field, what the container would otherwise refuse in its own way
 * (an empty 400) or decode wrongly: a query string with broken percent-encoding or UTF-8, and a
 * {@code Content-Type} that is not a media type.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 200)
public class RequestSyntaxFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        String problem = problem(request.getHeaderString(HttpHeaders.CONTENT_TYPE),
                request.getUriInfo().getRequestUri().getRawQuery());
        if (problem != null) {
            request.abortWith(PlainText.text(Response.Status.BAD_REQUEST, problem).build());
        }
    }

    /**
     * @param contentType the request's {@code Content-Type}, or null
     * @param rawQuery    the request's query component as sent, or null
     * @return what is wrong with them, as the 400's body says it; null if nothing
     */
    public static String problem(String contentType, String rawQuery) {
        if (contentType != null) {
            try {
                MediaType.valueOf(contentType);
            } catch (IllegalArgumentException e) {
                return "Content-Type: not a media type: " + PlainText.quote(contentType);
            }
        }
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        return FormEncoding.problem(rawQuery.getBytes(StandardCharsets.UTF_8), "query");
    }
}
