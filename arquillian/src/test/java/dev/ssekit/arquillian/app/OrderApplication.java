package dev.ssekit.arquillian.app;

import dev.ssekit.SseKitFeature;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

@ApplicationPath("api")
public class OrderApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(OrderStream.class, SseKitFeature.class);
    }
}
