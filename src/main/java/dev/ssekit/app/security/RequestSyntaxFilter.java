package dev.ssekit.app.security;

import dev.ssekit.app.PlainText;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.nio.charset.StandardCharsets;

/**
 * Refuses a query string with broken percent-encoding or UTF-8 with a 400 naming the field, before
 * the container decodes it (where it could fail in its own way).
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 200)
public class QueryFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        String query = request.getUriInfo().getRequestUri().getRawQuery();
        if (query == null || query.isEmpty()) {
            return;
        }
        String problem = FormEncoding.problem(query.getBytes(StandardCharsets.UTF_8), "query");
        if (problem != null) {
            request.abortWith(PlainText.text(Response.Status.BAD_REQUEST, problem).build());
        }
    }
}
