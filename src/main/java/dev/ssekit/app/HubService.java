package dev.ssekit.app;

import dev.ssekit.Topics;
import dev.ssekit.history.HistoryStore;

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
    private HistoryStore store;

    /**
     * @return the registry, made on first use with the history store the settings ask for
     * @throws IllegalArgumentException naming the setting when one is invalid
     * @throws dev.ssekit.SseKitException when the history store cannot be reached
     */
    public synchronized Topics topics() {
        if (topics == null) {
            HistoryStore opened = HubSettings.fromSystem().historyStore();
            try {
                topics = Topics.builder().name("ssekit-hub").history(opened).build();
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            store = opened;
            LOG.info(() -> "ssekit hub ready, history: " + store);
        }
        return topics;
    }

    /** Ends every stream, stops the hub's threads and closes the history store. */
    @PreDestroy
    public synchronized void close() {
        if (topics != null) {
            topics.close();
            store.close();
        }
    }
}
