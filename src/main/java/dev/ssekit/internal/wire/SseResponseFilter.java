package dev.ssekit.internal.wire;

import dev.ssekit.SseKitFeature;
import dev.ssekit.Subscription;
import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import java.util.function.BiConsumer;

/**
 * Sets the response headers of event streams: {@code Cache-Control: no-cache} so that no cache keeps
 * the stream, {@code X-Accel-Buffering: no} so that nginx passes events on at once, and
 * {@code Mercure-Last-Event-ID} with where replay started when the request subscribed with a
 * {@code Last-Event-ID} (see {@link Subscription#replayStartedAfter()}). On any response, sets
 * {@value SseKitFeature#EVENT_ID_HEADER} to the id of the event a {@link Publish} method published
 * while serving the request. And hands the request's {@code Last-Event-ID} to {@link Subscribe}
 * methods, which need not declare it.
 *
 * <p>Register it with your JAX-RS application (it is a {@link Provider}, so scanning finds it).
 */
@Provider
public final class SseResponseFilter implements ContainerRequestFilter, ContainerResponseFilter {
    /** The response header telling the client where replay started. */
    private static final String PROPERTY = ResponseHeaders.class.getName();

    @Override
    public void filter(ContainerRequestContext request) {
        // Every request: a @Publish method may run in any of them, or in a bean one of them calls.
        request.setProperty(PROPERTY, ResponseHeaders.begin(request.getHeaderString("Last-Event-ID")));
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        ResponseHeaders.end();
        Object holder = request.getProperty(PROPERTY);
        MultivaluedMap<String, Object> headers = response.getHeaders();
        String eventId = ResponseHeaders.eventId(holder);
        if (eventId != null) {
            headers.putSingle(SseKitFeature.EVENT_ID_HEADER, eventId);
        }
        MediaType type = response.getMediaType();
        if (type == null || !MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(type)) {
            return;
        }
        streamHeaders(ResponseHeaders.replayStartedAfter(holder), headers::putSingle);
    }

    /**
     * Sets an event stream's own headers, wherever its response is written: here, and where a servlet
     * filter serves the stream below JAX-RS.
     *
     * @param replayStartedAfter where replay started ({@link ResponseHeaders#replayStartedAfter}), or null
     * @param set                sets one header, replacing any value it had
     */
    public static void streamHeaders(String replayStartedAfter, BiConsumer<String, String> set) {
        set.accept("Cache-Control", "no-cache");
        set.accept("X-Accel-Buffering", "no");
        if (replayStartedAfter != null) {
            set.accept(SseKitFeature.REPLAY_STARTED_AFTER_HEADER, replayStartedAfter);
        }
    }
}
