package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.internal.Checks;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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

    /**
     * Checks a batch before a store changes anything: not empty, and no id given twice.
     *
     * @return the ids the batch's events were given by their publishers
     * @throws DuplicateIdException if two entries give the same id
     */
    static Set<String> checkBatch(List<HistoryStore.Entry> batch) {
        Checks.notNull(batch, "batch");
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("batch must not be empty");
        }
        Set<String> given = new HashSet<>();
        for (HistoryStore.Entry entry : batch) {
            Optional<String> id = entry.event().id();
            if (id.isPresent() && !given.add(id.get())) {
                throw new DuplicateIdException(id.get());
            }
        }
        return given;
    }

    static void checkRead(Set<String> topics, String afterId) {
        checkTopics(topics);
        Checks.notNull(afterId, "afterId");
    }

    static void checkReadMatching(dev.ssekit.spi.TopicMatcher matcher, String afterId) {
        Checks.notNull(matcher, "matcher");
        Checks.notNull(afterId, "afterId");
    }

    /** Events the default {@link HistoryStore#count} reads at a time. */
    static final int COUNT_PAGE = 500;

    static void checkCount(Set<String> topics, String afterId, int limit) {
        Checks.notNull(topics, "topics");
        Checks.notNull(afterId, "afterId");
        checkLimit(limit);
    }

    static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    private static void checkTopics(Set<String> topics) {
        Checks.notNull(topics, "topics");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty");
        }
    }
}
