package dev.ssekit.app;

import dev.ssekit.Topics;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.logging.Logger;

/**
 * The hub app's one {@link Topics} registry: made when the application starts, closed (every stream
 * ended cleanly) when it stops.
 */
@ApplicationScoped
public class HubService {
    private static final Logger LOG = Logger.getLogger(HubService.class.getName());

    private Topics topics;

    /** @return the registry, made on first use */
    public synchronized Topics topics() {
        if (topics == null) {
            topics = Topics.builder().name("ssekit-hub").build();
            LOG.info(() -> "ssekit hub ready, history: " + topics.history());
        }
        return topics;
    }

    /** Ends every stream and stops the hub's threads. */
    @PreDestroy
    public synchronized void close() {
        if (topics != null) {
            topics.close();
        }
    }
}
