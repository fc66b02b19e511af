package dev.ssekit.history;

import dev.ssekit.Event;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where published events are kept so that a reconnecting client can be sent what it missed.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Ids are opaque strings, unique in the store and strictly ordered by append: an event appended
 *   after another is read after it, whatever its topics.</li>
 *   <li>{@link #append} gives the event an id when it has none and refuses an id the store already
 *   holds. The returned stage completes only once the event is stored: nothing is acknowledged that
 *   was not kept.</li>
 *   <li>{@link #read} returns, oldest first and each once, the retained events on any of the given
 *   topics after one id, up to another.</li>
 *   <li>Retention by count and by age is the store's own; an expired id reads as unknown.</li>
 *   <li>Implementations are thread-safe. Their stages may complete on any thread, and the caller
 *   serialises appends (ssekit's dispatcher appends under its publish lock).</li>
 * </ul>
 * Stages are used so that stores over a network can be asynchronous; an in-memory store completes
 * them at once.
 */
public interface HistoryStore extends AutoCloseable {
    /** The {@code Last-Event-ID} that asks for everything retained. */
    String EARLIEST = "earliest";

    /**
     * Stores an event on one or more topics.
     *
     * @param topics the event's topics, at least one
     * @param event  a message event; its id is kept when set, assigned otherwise
     * @return a stage with the event as stored, carrying its id
     * @throws IllegalArgumentException for no topics, a comment event, or an id already stored
     */
    CompletionStage<Event> append(Set<String> topics, Event event);

    /**
     * Reads the retained events on any of {@code topics} after {@code afterId} up to
     * {@code untilId}.
     *
     * @param topics  the topics, at least one
     * @param afterId read after this id (exclusive); {@link #EARLIEST} for all retained events. An
     *                unknown or expired id reads all retained events and reports it as not found.
     * @param untilId read up to this id (inclusive); null for up to the newest. A store that can no
     *                longer place an expired {@code untilId} may read up to its newest event: the
     *                caller drops what it already holds live.
     * @return a stage with the events, oldest first
     */
    CompletionStage<Replay> read(Set<String> topics, String afterId, String untilId);

    /**
     * @return a stage with the id of the newest event in the store, on any topic, if any
     */
    CompletionStage<Optional<String>> latestId();

    /** Releases the store's resources; what was stored stays where durable stores keep it. */
    @Override
    void close();
}
