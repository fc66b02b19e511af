package dev.ssekit.internal;

import java.util.Set;
import java.util.function.Function;

/**
 * Implemented beside {@code dev.ssekit.spi.TopicMatcher} by a matcher that names a necessary
 * condition for a match, so that the hub asks it only
 * about events that pass: the hub indexes the screens' prefixes and computes each topic's key once
 * per event for all matchers sharing the key function. With many matchers, asking each about every
 * event costs as much as delivering it. For ssekit's own matchers (the hub app's URL patterns); not
 * part of the API.
 */
public interface ScreenedMatcher {
    // Not a subtype of TopicMatcher: the SPI package depends on this one (Checks, Json), and a
    // dependency back would make the two a cycle.
    /**
     * @return a necessary condition for the matcher's {@code matches} to be true, or null to be asked about every
     *         event
     */
    Screen screen();

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
