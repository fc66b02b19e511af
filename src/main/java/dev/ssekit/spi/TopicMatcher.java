package dev.ssekit.spi;

import dev.ssekit.Hub;

import java.util.Set;

/**
 * Chooses the events a subscription receives by their topics, beside or instead of exact topic
 * names: for wildcards, URI templates or URL patterns, given to
 * {@link Hub#subscribe(Conn, java.util.Collection, String, TopicMatcher)}.
 *
 * <p>Exact topic subscriptions are found with one map lookup per topic of an event; matchers are
 * kept apart and asked, one after another, only about events whose topics the connection is not
 * already subscribed to by name. They run on the publishing thread, under the hub's publish
 * order, and, for a replay, on the subscribing thread over the history read
 * ({@link dev.ssekit.history.HistoryStore#readMatching}), so they must be quick and must not block.
 * A matcher that throws rejects the event for its connection only.
 */
@FunctionalInterface
public interface TopicMatcher {
    /**
     * @param topics every topic the event was published to (at least one; unmodifiable)
     * @return true to deliver the event to this subscription's connection
     */
    boolean matches(Set<String> topics);
}
