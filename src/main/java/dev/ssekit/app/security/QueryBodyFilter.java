package dev.ssekit.app.security;


import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Checks the body of a subscription sent with {@code QUERY} before the resource reads it: it must be
 * {@code application/x-www-form-urlencoded} (415 otherwise), no longer than
 * {@code ssekit.hub.max.form.size} (413, without buffering more than that) and well encoded (400
 * naming the problem), as the protocol asks of matcher parameters carried in a body.
 */
@Provider
@QueryBodyFilter.Bound
@Priority(Priorities.ENTITY_CODER)
@ApplicationScoped
public class QueryBodyFilter implements ContainerRequestFilter {
    /** Binds this filter to the QUERY subscription method. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Bound {
    }

    @Inject
    HubSecurity security;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        Response refused = FormEncoding.refusal(request, security.settings().maxFormSize(), "QUERY");
        if (refused != null) {
            request.abortWith(refused);
        }
    }
}
