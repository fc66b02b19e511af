package dev.ssekit.app;

import dev.ssekit.Hub;
import dev.ssekit.HubClosedException;
import dev.ssekit.internal.Limits;
import dev.ssekit.internal.Settings;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.logging.Logger;

/**
 * The hub's one registry, made from the configuration ({@link Hub#builder()}) on first use and
 * closed, ending every stream cleanly, when the application stops.
 *
 * <p>A subscriber authorized for private updates also subscribes to each topic's private
 * counterpart, so the registry lets a subscription name twice the configured
 * {@code ssekit.max.topics.per.subscription}, and {@link #checkTopicCount} holds the topics a client
 * names to the configured number.
 */
@ApplicationScoped
public class HubRegistry {
    /** The library's key, read here as well because the hub counts topics as clients name them. */
    static final String MAX_TOPICS_PER_SUBSCRIPTION = "ssekit.max.topics.per.subscription";
    /** The library's key, read here as well: unset, the hub meters no topic by name. */
    static final String METRICS_TOPICS = "ssekit.metrics.topics";

    private static final Logger LOG = Logger.getLogger(HubRegistry.class.getName());

    // Written under the lock, read without it: a request never waits for a stop in progress (the
    // stop may take the whole shutdown timeout), it finds the registry closing and gets 503.
    private volatile Hub hub;
    private volatile int maxTopicsPerSubscription;
    private volatile boolean closed;

    /**
     * @return the registry, opened with its history store on first use
     * @throws IllegalArgumentException naming the key and value of an invalid setting
     * @throws dev.ssekit.SseKitException if the history store cannot be reached
     * @throws HubClosedException if the application is stopping
     */
    public Hub hub() {
        Hub made = hub;
        if (made != null) {
            return made;
        }
        synchronized (this) {
            return open();
        }
    }

    /** Makes the registry once; the caller holds the lock. */
    private Hub open() {
        if (hub == null && closed) {
            throw new HubClosedException("the hub (the application is stopping)");
        }
        if (hub == null) {
            Settings settings = Settings.current();
            int max = settings.integer(MAX_TOPICS_PER_SUBSCRIPTION, Limits.DEFAULTS.maxTopicsPerSubscription(), 1);
            Hub.Builder builder = Hub.builder()
                    .maxTopicsPerSubscription(max > Integer.MAX_VALUE / 2 ? Integer.MAX_VALUE : 2 * max);
            if (settings.raw(METRICS_TOPICS) == null) {
                // Clients name the hub's topics: none gets a series of its own unless configured.
                builder.meteredTopics(Set.of());
            }
            Hub made = builder.build();
            maxTopicsPerSubscription = max; // before hub: a reader that sees it sees its limit
            hub = made;
            LOG.fine(() -> "ssekit hub: registry ready, history " + hub.history());
        }
        return hub;
    }

    /**
     * @param named the topics a client names
     * @throws IllegalArgumentException past the configured number, naming the field and the limit
     */
    public void checkTopicCount(Set<String> named) {
        hub(); // sets the limit on first use
        int max = maxTopicsPerSubscription;
        if (named.size() > max) {
            throw new IllegalArgumentException("topics: a subscription may name at most " + max
                    + " topics (maxTopicsPerSubscription), got " + named.size());
        }
    }

    /**
     * Ends every stream, stops the registry's threads and closes its history store, within the
     * registry's shutdown timeout ({@code ssekit.shutdown.timeout}). Idempotent. The lock is held
     * only to mark the registry closed: requests meanwhile reach the closing registry and are
     * refused at once (503), none waits for the stop.
     */
    @PreDestroy
    public void close() {
        Hub closing;
        synchronized (this) {
            if (closed) {
                return;
            }
            // The closed registry stays: a request still running gets HubClosedException (503), never
            // a fresh registry with new threads and an empty store.
            closed = true;
            closing = hub;
        }
        if (closing != null) {
            closing.close();
        }
    }
}
