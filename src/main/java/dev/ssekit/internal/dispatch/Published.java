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
 */
record Published(Set<String> topics, Event event, Object value, String position) {
}
