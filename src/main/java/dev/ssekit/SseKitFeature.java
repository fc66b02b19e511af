package dev.ssekit;

import dev.ssekit.internal.wire.FrameWriter;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Registers ssekit's JAX-RS providers: {@link SseResponseFilter} (the stream headers) and the writer
 * of ssekit's own events, which writes them exactly as framed (see {@link Event}). Use
 * {@code register(SseKitFeature.class)} in your application, or list it in
 * {@code Application.getClasses()}. The writer applies to ssekit's events only; your own
 * {@code OutboundSseEvent}s keep the container's writer.
 */
public final class SseKitFeature implements Feature {
    @Override
    public boolean configure(FeatureContext context) {
        context.register(SseResponseFilter.class);
        context.register(FrameWriter.class);
        return true;
    }
}
