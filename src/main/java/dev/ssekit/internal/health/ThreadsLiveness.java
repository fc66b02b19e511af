package dev.ssekit.internal.health;

import dev.ssekit.internal.dispatch.Dispatcher;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Live while the threads of every registry the application runs work: the writers that drain every
 * client's queue and the sweeper that sends heartbeats. Stuck writers deliver nothing, and no
 * reconnecting client helps; restarting the process does. Up while no registry runs (no thread to
 * check); it never opens one. The history store is the readiness check's business, never this
 * one's, so that a database outage does not restart every node. Added by {@link HealthChecks}.
 */
@Liveness
public class ThreadsLiveness implements HealthCheck {
    static final String NAME = "ssekit-threads";

    @Override
    public HealthCheckResponse call() {
        List<Dispatcher> running = Dispatcher.running();
        if (running.isEmpty()) {
            return response(HealthCheckResponse.Status.UP, "hubs", "not running");
        }
        long clients = 0;
        for (Dispatcher d : running) {
            Optional<String> problem = d.threadProblem();
            if (problem.isPresent()) {
                return response(HealthCheckResponse.Status.DOWN, "error", problem.get());
            }
            clients += d.clients();
        }
        return response(HealthCheckResponse.Status.UP, "clients", clients);
    }

    // The constructor, not HealthCheckResponse.named(): that needs the server's provider.
    private static HealthCheckResponse response(HealthCheckResponse.Status status, String key, Object value) {
        return new HealthCheckResponse(NAME, status, Optional.of(Map.of(key, value)));
    }
}
