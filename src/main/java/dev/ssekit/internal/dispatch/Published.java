package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;

import java.util.Set;

/**
 * An event the store has acknowledged, on its way to subscribers.
 *
 * @param topics   its topics
 * @param event    the event as stored, with its id
 * @param value    the value it was encoded from, for filters; null when published as an event
 * @param position where it stands in history: its id, or its position on a shared store
 * @param acceptedNanos the {@link System#nanoTime()} at which this node's pipeline accepted the
 *                 publish, for the delivery lag; 0 when unknown (followed from a shared store, read
 *                 back after an ambiguous outcome, relayed from an outbox)
 */
record Published(Set<String> topics, Event event, Object value, String position, long acceptedNanos) {
    /** An event whose accept time this node does not know. */
    Published(Set<String> topics, Event event, Object value, String position) {
        this(topics, event, value, position, 0);
    }
}
