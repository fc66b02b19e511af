package dev.ssekit.internal.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;

/**
 * Adds ssekit's MicroProfile Health checks to the application, only when the server has MicroProfile
 * Health: without it (WildFly's default profile, the embedded hub) no class that names its API is
 * ever loaded. The checks carry no bean-defining annotation, so that bean discovery never finds them
 * by itself; they become beans only here.
 */
public final class HealthChecks {
    private HealthChecks() {
    }

    /** @return whether the MicroProfile Health API is visible to the application */
    public static boolean available() {
        try {
            Class.forName("org.eclipse.microprofile.health.HealthCheck", false, HealthChecks.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Adds the readiness check of the history store and the liveness check of ssekit's threads as
     * application-scoped beans; call only when {@link #available()}.
     *
     * @param event the container's event before bean discovery
     */
    public static void addTo(BeforeBeanDiscovery event) {
        event.addAnnotatedType(HistoryReadiness.class, HistoryReadiness.class.getName())
                .add(ApplicationScoped.Literal.INSTANCE);
        event.addAnnotatedType(ThreadsLiveness.class, ThreadsLiveness.class.getName())
                .add(ApplicationScoped.Literal.INSTANCE);
    }
}
