package dev.ssekit.spi;

import dev.ssekit.Conn;

import java.util.Optional;
import java.util.Set;

/**
 * A subscribed connection ended: given to a {@link SubscriberListener}, and fired as a CDI event for
 * applications whose hubs are injected. It is usually fired on one of ssekit's threads, where no
 * request context is active: observe it in an application-scoped or dependent bean.
 *
 * @param topics        the topics it was subscribed to when it ended
 * @param remoteAddress the client's address, when known
 * @param reason        why it ended
 */
public record SubscriberDisconnected(Set<String> topics, Optional<String> remoteAddress, Conn.CloseReason reason) {
    /** Copies the topics. */
    public SubscriberDisconnected {
        topics = Set.copyOf(topics);
    }
}
