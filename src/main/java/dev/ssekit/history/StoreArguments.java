package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.internal.Checks;

import java.util.Set;

/** The argument checks every store makes, with the same messages. */
final class StoreArguments {
    private StoreArguments() {
    }

    static void checkAppend(Set<String> topics, Event event) {
        checkTopics(topics);
        Checks.notNull(event, "event");
        if (event.isComment()) {
            throw new IllegalArgumentException("event must not be a comment: comments are not kept");
        }
    }

    static void checkRead(Set<String> topics, String afterId) {
        checkTopics(topics);
        Checks.notNull(afterId, "afterId");
    }

    private static void checkTopics(Set<String> topics) {
        Checks.notNull(topics, "topics");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty");
        }
    }
}
