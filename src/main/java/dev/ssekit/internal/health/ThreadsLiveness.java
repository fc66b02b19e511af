package dev.ssekit.internal.health;

import dev.ssekit.Topics;
import dev.ssekit.internal.cdi.HubProducer;

import jakarta.enterprise.inject.spi.CDI;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.util.Map;
import java.util.Optional;

/**
 * Live while the threads of the application's hubs work ({@link Topics#stuckThreads()}): the writers
 * that drain every client's queue and the sweeper that sends heartbeats. Stuck writers deliver
 * nothing, and no reconnecting client helps; restarting the process does. Up while the hubs are not
 * running (not used yet: no thread to check). The history store is the readiness check's business,
 * never this one's, so that a database outage does not restart every node. Added by
 * {@link HealthChecks}.
 */
@Liveness
public class ThreadsLiveness implements HealthCheck {
    static final String NAME = "ssekit-threads";

    /**
     * Looked up, not injected: a type added by an extension belongs, on Payara, to a bean archive
     * that does not see the library jar's beans (WELD-001408 at deployment).
     */
    private static HubProducer hubs() {
        return CDI.current().select(HubProducer.class).get();
    }

    @Override
    public HealthCheckResponse call() {
        Topics topics = hubs().existing();
        if (topics == null) {
            return response(HealthCheckResponse.Status.UP, "hubs", "not running");
        }
        return topics.stuckThreads().map(problem -> response(HealthCheckResponse.Status.DOWN, "error", problem))
                .orElseGet(() -> response(HealthCheckResponse.Status.UP, "clients", (long) topics.clients()));
    }

    // The constructor, not HealthCheckResponse.named(): that needs the server's provider.
    private static HealthCheckResponse response(HealthCheckResponse.Status status, String key, Object value) {
        return new HealthCheckResponse(NAME, status, Optional.of(Map.of(key, value)));
    }
}
