package dev.ssekit.internal.health;

import dev.ssekit.HubClosedException;
import dev.ssekit.SseKitException;
import dev.ssekit.Topics;
import dev.ssekit.internal.cdi.HubProducer;

import jakarta.enterprise.inject.spi.CDI;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.Optional;

/**
 * Ready while the application's history store answers ({@link dev.ssekit.history.HistoryStore#check()}):
 * while it does not, publishing fails (the hub answers 503) and reconnecting clients get no replay,
 * so a load balancer should send them elsewhere. The first probe opens the application's hubs if no
 * request did yet, as the first request would: an application whose store cannot be opened is not
 * ready. Added by {@link HealthChecks}.
 */
@Readiness
public class HistoryReadiness implements HealthCheck {
    static final String NAME = "ssekit-history";

    /**
     * Looked up, not injected: a type added by an extension belongs, on Payara, to a bean archive
     * that does not see the library jar's beans (WELD-001408 at deployment).
     */
    private static HubProducer hubs() {
        return CDI.current().select(HubProducer.class).get();
    }

    @Override
    public HealthCheckResponse call() {
        Topics topics;
        try {
            topics = hubs().topics();
        } catch (HubClosedException e) {
            return down("the application is stopping");
        } catch (SseKitException | IllegalArgumentException e) {
            return down(String.valueOf(e.getMessage()));
        }
        if (topics.isClosed()) {
            return down("the application is stopping");
        }
        try {
            topics.history().check();
        } catch (SseKitException e) {
            return down(String.valueOf(e.getMessage()));
        }
        // The constructor, not HealthCheckResponse.named(): that needs the server's provider.
        return new HealthCheckResponse(NAME, HealthCheckResponse.Status.UP,
                Optional.of(Map.of("store", topics.history().getClass().getSimpleName())));
    }

    private static HealthCheckResponse down(String error) {
        return new HealthCheckResponse(NAME, HealthCheckResponse.Status.DOWN, Optional.of(Map.of("error", error)));
    }
}
