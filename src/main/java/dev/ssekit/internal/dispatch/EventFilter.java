package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;

/** Decides, per subscriber, whether an event reaches it. */
@FunctionalInterface
public interface EventFilter {
    /**
     * @param value the published value when the publisher gave one, else null
     * @param event the event as stored
     * @return true to deliver
     */
    boolean accepts(Object value, Event event);
}
