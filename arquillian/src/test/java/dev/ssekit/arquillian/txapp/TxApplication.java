package dev.ssekit.arquillian.txapp;

import dev.ssekit.SseKitFeature;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/** A user's application whose orders are saved and broadcast in one JTA transaction. */
@ApplicationPath("api")
public class TxApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(TxOrdersResource.class, SseKitFeature.class);
    }
}
