package dev.ssekit.app;

import dev.ssekit.SseKitFeature;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/** The hub app: the Mercure endpoints, the demo page, and the event-stream headers. */
@ApplicationPath("")
public class HubApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(MercureResource.class, DemoPage.class, SseKitFeature.class);
    }
}
