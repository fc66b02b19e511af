package dev.ssekit.history;

import java.util.List;

import dev.ssekit.Event;

/**
 * The result of a {@link HistoryStore#read}: the events to replay, and whether the id to read
 * after was found.
 *
 * @param events         the events, oldest first, each with its id
 * @param afterIdFound   false when the requested id was unknown or expired, so that the events
 *                       start at the earliest retained one
 */
public record Replay(List<Event> events, boolean afterIdFound) {
    /** Copies the list. */
    public Replay {
        events = List.copyOf(events);
    }

    /** @return the first {@code limit} events of {@code replay}, with its {@code afterIdFound} */
    static Replay firstOf(Replay replay, int limit) {
        return replay.events().size() <= limit ? replay
                : new Replay(replay.events().subList(0, limit), replay.afterIdFound());
    }
}
