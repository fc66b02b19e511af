package dev.ssekit.history;

import dev.ssekit.Event;

import java.util.Optional;
import java.util.Set;

/**
 * A {@link HistoryStore} that several nodes share, and that tells each of them about every event any
 * of them appends. A hub on such a store does not fan events out as it publishes them: every
 * node, the publishing one included, fans out what it follows, so that all nodes deliver the same
 * events in the same order with the same ids.
 *
 * <p>Each event has a <em>position</em>: an opaque string the store orders ({@link #comparePositions})
 * and accepts wherever {@link #read} takes an id. A client may have seen an event on one node that
 * another node has not followed yet; a node therefore catches up with {@link #latestPosition()}
 * before it hands a reconnecting client over from replay to live events.
 */
public interface SharedHistoryStore extends HistoryStore {
    /** Receives appended events. */
    @FunctionalInterface
    interface AppendListener {
        /**
         * @param topics   the event's topics
         * @param event    the event as stored, with its id
         * @param position the event's position
         */
        void appended(Set<String> topics, Event event, String position);

        /**
         * Called when deliveries resumed after an outage and the store no longer held some of what
         * was appended meanwhile: those events were not delivered. Replay still has them, so the
         * receiver should make its clients reconnect.
         */
        default void missedEvents() {
        }
    }

    /** A running follow; closing it stops the deliveries. */
    interface Follower extends AutoCloseable {
        /** @return the position of the newest event before the first one delivered, if any */
        Optional<String> startedAfter();

        @Override
        void close();
    }

    /**
     * Starts delivering, on one thread of the store's, in id order and once each, every event appended
     * from now on by any node. Deliveries resume where they stopped when the store loses and regains
     * its connection, as long as it retains what was missed meanwhile.
     *
     * @param listener the receiver; it must not block for long
     * @return the running follow, which also says where it started
     */
    Follower follow(AppendListener listener);

    /**
     * @return the position of the newest event appended by any node, if any
     * @throws dev.ssekit.HistoryStoreException if the store failed
     */
    Optional<String> latestPosition();

    /**
     * @param a a position
     * @param b a position
     * @return negative, zero or positive as {@code a} comes before, at or after {@code b}
     */
    int comparePositions(String a, String b);
}
