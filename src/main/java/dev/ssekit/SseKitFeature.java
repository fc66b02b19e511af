package dev.ssekit;

import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.internal.wire.FrameWriter;
import dev.ssekit.internal.wire.SseResponseFilter;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Registers ssekit's JAX-RS providers: a filter (the stream headers, the request's {@code Last-Event-ID}
 * for {@link Subscribe}, the {@value #REPLAY_STARTED_AFTER_HEADER} and {@value #EVENT_ID_HEADER} headers)
 * and the writer
 * of ssekit's own events, which writes them exactly as framed (see {@link Event}). Use
 * {@code register(SseKitFeature.class)} in your application, or list it in
 * {@code Application.getClasses()}. The writer applies to ssekit's events only; your own
 * {@code OutboundSseEvent}s keep the container's writer.
 */
public final class SseKitFeature implements Feature {
    /**
     * The response header that carries the id of the event a {@link Publish} method published while
     * serving the request: {@value}. Absent when nothing was published (a failed or empty result). Inside a
     * JTA transaction it is the id the event will carry once the transaction commits. Browsers read it from
     * another origin only if your CORS configuration exposes it ({@code Access-Control-Expose-Headers}).
     */
    public static final String EVENT_ID_HEADER = "SseKit-Event-ID";

    /**
     * The response header of a stream that names where its replay started
     * ({@link Subscription#replayStartedAfter()}): {@value}, as the Mercure protocol names it. Set when
     * the stream was subscribed with a {@code Last-Event-ID} (or {@code earliest}) before its first write.
     */
    public static final String REPLAY_STARTED_AFTER_HEADER = "Mercure-Last-Event-ID";

    @Override
    public boolean configure(FeatureContext context) {
        context.register(SseResponseFilter.class);
        context.register(FrameWriter.class);
        return true;
    }
}
