package dev.ssekit;

import java.util.Optional;

/**
 * A subscription was refused because a topic, or the whole hub, already has as many
 * subscribers as its limit allows ({@code maxSubscribersPerTopic}, {@code maxSubscribers}). Nothing
 * was subscribed and the connection was ended; an HTTP endpoint answers {@code 503} with
 * {@code Retry-After}.
 */
public final class SubscriberLimitException extends SseKitException {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int limit;

    /**
     * @param topic the full topic, or null when the hub-wide limit was reached
     * @param limit the limit that was reached
     */
    public SubscriberLimitException(String topic, int limit) {
        super(topic == null
                ? "the hub already has its limit of " + limit + " subscribers (maxSubscribers); retry later"
                : "topic \"" + topic + "\" already has its limit of " + limit
                        + " subscribers (maxSubscribersPerTopic); retry later");
        this.topic = topic;
        this.limit = limit;
    }

    /** @return the full topic, or empty when the hub-wide limit was reached */
    public Optional<String> topic() {
        return Optional.ofNullable(topic);
    }

    /** @return the limit that was reached */
    public int limit() {
        return limit;
    }
}
