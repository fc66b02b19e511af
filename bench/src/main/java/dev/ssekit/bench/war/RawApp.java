package dev.ssekit.bench.war;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/**
 * The plain JAX-RS side of the server bench ({@code bench/run --server}), deployed as {@code raw.war}
 * beside the hub WAR on the same server: one {@code SseBroadcaster} per topic, as the JAX-RS tutorial
 * writes it, and the server JVM's statistics for the driver.
 */
@ApplicationPath("api")
public class RawApp extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(RawResource.class);
    }
}
