package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.EventTooLargeException;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.Limits;

import java.util.Set;

/** What a registry lets in: event sizes, topics per subscription, subscribers per topic and in all. */
final class Admission {
    private final Limits limits;
    private final Routes routes;

    Admission(Limits limits, Routes routes) {
        this.limits = Checks.notNull(limits, "limits");
        this.routes = routes;
    }

    /** @throws EventTooLargeException if the event's data is over {@link Limits#maxEventSize()} */
    void checkSize(Event event) {
        String data = event.data();
        int max = limits.maxEventSize();
        if (data.length() > max / 3) { // a UTF-16 char is at most 3 UTF-8 bytes: only then count them
            long bytes = utf8Length(data);
            if (bytes > max) {
                throw new EventTooLargeException(bytes, max);
            }
        }
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** @throws IllegalArgumentException past {@link Limits#maxTopicsPerSubscription()} */
    void checkTopicCount(Set<String> topics) {
        if (topics.size() > limits.maxTopicsPerSubscription()) {
            throw new IllegalArgumentException("topics: a subscription may name at most "
                    + limits.maxTopicsPerSubscription() + " topics (maxTopicsPerSubscription), got " + topics.size());
        }
    }

    /**
     * @param newClient true for a connection not yet subscribed to anything
     * @param member    a topic it already has is not counted again
     * @throws SubscriberLimitException if a subscriber limit is reached
     */
    void checkRoom(boolean newClient, Set<String> topics, java.util.function.Predicate<String> member) {
        if (newClient && limits.maxSubscribers() > 0 && routes.clients() >= limits.maxSubscribers()) {
            throw new SubscriberLimitException(null, limits.maxSubscribers());
        }
        if (limits.maxSubscribersPerTopic() > 0) {
            for (String topic : topics) {
                if (routes.subscribers(topic) >= limits.maxSubscribersPerTopic() && !member.test(topic)) {
                    throw new SubscriberLimitException(topic, limits.maxSubscribersPerTopic());
                }
            }
        }
    }

    /** @return true if no subscriber limit is set */
    boolean unlimited() {
        return limits.maxSubscribers() == 0 && limits.maxSubscribersPerTopic() == 0;
    }
}
