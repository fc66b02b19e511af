package dev.ssekit.spi;

import dev.ssekit.Hub;
import dev.ssekit.internal.Checks;

import java.util.Set;
import java.util.function.Function;

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
 *
 * <p>With many matchers, asking each about every event costs as much as delivering it. A matcher
 * that can name a {@link Screen} is asked only about events that pass it: the hub indexes the
 * screens' prefixes and computes each topic's key once per event for all matchers sharing the key
 * function.
 */
@FunctionalInterface
public interface TopicMatcher {
    /**
     * @param topics every topic the event was published to (at least one; unmodifiable)
     * @return true to deliver the event to this subscription's connection
     */
    boolean matches(Set<String> topics);

    /**
     * @return a necessary condition for {@link #matches} to be true, or null (the default) to be
     *         asked about every event
     */
    default Screen screen() {
        return null;
    }

    /**
     * A necessary condition for a match, cheap to test for many matchers at once: the matcher
     * accepts an event only if, for one of its topics, {@code key} gives a string that starts with
     * one of {@code prefixes} ({@code ""} lets every key pass). Matchers whose key functions are
     * equal share one key computation per topic and event, so give equal functions an
     * {@code equals} (a record, or one shared instance).
     *
     * @param key      a topic's key; null for a topic the matcher can never accept
     * @param prefixes the key prefixes, at least one
     */
    record Screen(Function<String, String> key, Set<String> prefixes) {
        /** @throws IllegalArgumentException naming a null key, or null or empty prefixes */
        public Screen {
            Checks.notNull(key, "key");
            Checks.notNull(prefixes, "prefixes");
            if (prefixes.isEmpty()) {
                throw new IllegalArgumentException("prefixes: at least one is needed; return no screen instead");
            }
            prefixes = Set.copyOf(prefixes);
        }
    }
}
