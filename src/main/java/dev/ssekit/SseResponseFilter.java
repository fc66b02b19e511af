package dev.ssekit;

import dev.ssekit.internal.wire.ResponseHeaders;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import java.lang.reflect.Method;

/**
 * Sets the response headers of event streams: {@code Cache-Control: no-cache} so that no cache keeps
 * the stream, {@code X-Accel-Buffering: no} so that nginx passes events on at once, and
 * {@code Mercure-Last-Event-ID} with where replay started when the request subscribed with a
 * {@code Last-Event-ID} (see {@link Subscription#replayStartedAfter()}).
 *
 * <p>Register it with your JAX-RS application (it is a {@link Provider}, so scanning finds it).
 */
@Provider
public final class SseResponseFilter implements ContainerRequestFilter, ContainerResponseFilter {
    /** The response header telling the client where replay started. */
    public static final String LAST_EVENT_ID_HEADER = "Mercure-Last-Event-ID";
    private static final String PROPERTY = ResponseHeaders.class.getName();

    @Context
    private ResourceInfo resource;

    @Override
    public void filter(ContainerRequestContext request) {
        if (producesEventStream()) {
            request.setProperty(PROPERTY, ResponseHeaders.begin());
        }
    }

    private boolean producesEventStream() {
        Method method = resource == null ? null : resource.getResourceMethod();
        if (method == null) {
            return false;
        }
        Produces produces = method.getAnnotation(Produces.class);
        if (produces == null) {
            produces = resource.getResourceClass().getAnnotation(Produces.class);
        }
        if (produces == null) {
            return false;
        }
        for (String value : produces.value()) {
            for (String type : value.split(",")) {
                if (MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(MediaType.valueOf(type.trim()))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        ResponseHeaders.end();
        MediaType type = response.getMediaType();
        if (type == null || !MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(type)) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Cache-Control", "no-cache");
        headers.putSingle("X-Accel-Buffering", "no");
        if (request.getProperty(PROPERTY) instanceof String[] holder && holder[0] != null) {
            headers.putSingle(LAST_EVENT_ID_HEADER, holder[0]);
        }
    }
}
