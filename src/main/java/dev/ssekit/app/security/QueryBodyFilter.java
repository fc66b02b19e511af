package dev.ssekit.app.security;

import dev.ssekit.app.PlainText;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.io.ByteArrayInputStream;
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
        MediaType type;
        try {
            type = request.getMediaType();
        } catch (RuntimeException e) {
            type = null;
        }
        if (type == null || !MediaType.APPLICATION_FORM_URLENCODED_TYPE.isCompatible(type)) {
            request.abortWith(text(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "QUERY: Content-Type must be application/x-www-form-urlencoded"));
            return;
        }
        int max = security.settings().maxFormSize();
        byte[] body = FormEncoding.readAtMost(request.getEntityStream(), max);
        if (body == null) {
            request.abortWith(text(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body: over the limit of " + max
                    + " bytes (" + SecuritySettings.MAX_FORM_SIZE + ")"));
            return;
        }
        String problem = FormEncoding.problem(body, "body");
        if (problem != null) {
            request.abortWith(text(Response.Status.BAD_REQUEST, problem));
            return;
        }
        request.setEntityStream(new ByteArrayInputStream(body));
    }

    private static Response text(Response.Status status, String message) {
        return PlainText.text(status, message).build();
    }
}
