package dev.ssekit.app.security;


import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

/**
 * Runs before the publish form is read: a publisher without a valid token (when anonymous
 * publishing is off) gets its 401 before the body is touched, a body over
 * {@code ssekit.hub.max.form.size} gets 413 without being buffered whole (at once when its
 * {@code Content-Length} says so, else as soon as the limit is passed), and broken
 * percent-encoding or UTF-8 gets a 400 naming the field.
 */
@Provider
@PublishFilter.Bound
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class PublishFilter implements ContainerRequestFilter {
    /** Binds this filter to the publish method. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Bound {
    }

    @Inject
    HubSecurity security;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        Cookie cookie = request.getCookies().get(HubSecurity.COOKIE);
        Cookie current = request.getCookies().get(HubSecurity.CURRENT_COOKIE);
        HubSecurity.Credentials credentials = new HubSecurity.Credentials(request.getHeaderString("Authorization"),
                security.cookie(cookie == null ? null : cookie.getValue(), current == null ? null : current.getValue()), request.getHeaderString("Origin"),
                request.getHeaderString("Referer"), request.getUriInfo().getBaseUri());
        try {
            // The topics are in the body, not read yet: this checks the token, the resource its claims.
            security.authorizePublish(credentials, List.of());
        } catch (WebApplicationException e) {
            request.abortWith(e.getResponse());
            return;
        }
        // Checked here, before the container resolves @FormParam and buffers the whole body.
        Response refused = FormEncoding.refusal(request, security.settings().maxFormSize(), "publish");
        if (refused != null) {
            request.abortWith(refused);
        }
    }
}
