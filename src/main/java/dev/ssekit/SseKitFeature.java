package dev.ssekit;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Registers ssekit's JAX-RS providers ({@link SseResponseFilter}, the stream headers):
 * {@code register(SseKitFeature.class)} in your application, or list it in
 * {@code Application.getClasses()}.
 */
public final class SseKitFeature implements Feature {
    @Override
    public boolean configure(FeatureContext context) {
        context.register(SseResponseFilter.class);
        return true;
    }
}
