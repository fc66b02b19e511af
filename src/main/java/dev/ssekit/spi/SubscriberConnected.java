package dev.ssekit.spi;

import java.util.Optional;
import java.util.Set;

/**
 * A connection subscribed for the first time: given to a {@link SubscriberListener}, and fired as a
 * CDI event for applications whose hubs are injected.
 *
 * @param topics        the topics of that first subscription
 * @param remoteAddress the client's address, when known
 */
public record SubscriberConnected(Set<String> topics, Optional<String> remoteAddress) {
    /** Copies the topics. */
    public SubscriberConnected {
        topics = Set.copyOf(topics);
    }
}
