package dev.ssekit.internal.health;

import dev.ssekit.SseKitException;
import dev.ssekit.internal.cdi.HubProducer;
import dev.ssekit.internal.dispatch.Dispatcher;

import jakarta.enterprise.inject.spi.CDI;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Ready while the history store of every registry the application runs answers
 * ({@link dev.ssekit.history.HistoryStore#check()}): while one does not, publishing fails (the hub
 * answers 503) and reconnecting clients get no replay, so a load balancer should send them
 * elsewhere. It reports on the registries that are open, whoever made them (injected hubs, or one
 * built with {@code Hub.configured()}, as the hub WAR does), and never opens one: an injected
 * registry opens at its first use. Down while the application stops. Added by {@link HealthChecks}.
 */
@Readiness
public class HistoryReadiness implements HealthCheck {
    static final String NAME = "ssekit-history";

    @Override
    public HealthCheckResponse call() {
        if (applicationStopping()) {
            return down("the application is stopping");
        }
        List<Dispatcher> running = Dispatcher.running();
        if (running.isEmpty()) {
            return response(HealthCheckResponse.Status.UP, "hubs", "not running");
        }
        Set<String> stores = new TreeSet<>();
        for (Dispatcher d : running) {
            if (d.isClosed()) {
                return down("the application is stopping");
            }
            try {
                d.store().check();
            } catch (SseKitException e) {
                return down(String.valueOf(e.getMessage()));
            }
            stores.add(d.store().getClass().getSimpleName());
        }
        return response(HealthCheckResponse.Status.UP, "store", String.join(", ", stores));
    }

    /**
     * Looked up, not injected: a type added by an extension belongs, on Payara, to a bean archive
     * that does not see the library jar's beans (WELD-001408 at deployment).
     */
    private static boolean applicationStopping() {
        return CDI.current().select(HubProducer.class).get().isClosed();
    }

    private static HealthCheckResponse down(String error) {
        return response(HealthCheckResponse.Status.DOWN, "error", error);
    }

    // The constructor, not HealthCheckResponse.named(): that needs the server's provider.
    private static HealthCheckResponse response(HealthCheckResponse.Status status, String key, String value) {
        return new HealthCheckResponse(NAME, status, Optional.of(Map.of(key, value)));
    }
}
