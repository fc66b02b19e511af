package dev.ssekit;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.dispatch.EventFilter;
import dev.ssekit.spi.Codec;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One topic of a {@link Hub}, typed: publishes values of type {@code T} and subscribes connections
 * to them. Get it from its hub ({@code hub.topic("orders", Order.class)}) or inject it
 * ({@code @Inject @TopicName("orders") Topic<Order>}); it lives as long as its hub.
 *
 * <pre>{@code
 * // in the stream resource:
 * orders.subscribe(hub.open(sink), lastEventId);          // replays what the client missed
 * // anywhere:
 * String id = orders.publish(order).id();
 * }</pre>
 *
 * <p>Each published value is encoded once ({@link Codec}), stored in history with an id, and queued
 * to every subscriber; a publish never waits for a client. Connections that fail or close leave the
 * topic by themselves. Thread-safe.
 *
 * @param <T> the type of the published values
 */
public final class Topic<T> {
    private final Hub hub;
    private final String name;
    private final Class<T> type;
    private final Codec<T> codec;
    private final Set<String> topicSet;

    Topic(Hub hub, String name, Class<T> type, Codec<T> codec) {
        this.hub = hub;
        this.name = name;
        this.type = type;
        this.codec = codec;
        this.topicSet = Set.of(name);
    }

    /** @return the topic's name */
    public String name() {
        return name;
    }

    /** @return the value type */
    public Class<T> type() {
        return type;
    }

    /**
     * Subscribes a connection, first replaying the events after {@code lastEventId}; see
     * {@link Subscription#replayStartedAfter()} for unknown ids.
     *
     * @param conn        the connection
     * @param lastEventId the client's {@code Last-Event-ID}, {@code "earliest"}, or null for live
     *                    events only
     * @return the subscription
     * @throws IllegalArgumentException if {@code lastEventId} holds CR, LF or NUL, or is empty
     * @throws SubscriberLimitException if a subscriber limit is reached; nothing was written then
     * @throws HubClosedException if the hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription subscribe(Conn conn, String lastEventId) {
        return subscribe(conn, lastEventId, null);
    }

    /**
     * Subscribes a connection that receives only the values {@code filter} accepts. Replayed events
     * and events published as {@link Event}s through the hub are decoded with the topic's codec to be
     * filtered.
     *
     * @param conn        the connection
     * @param lastEventId the client's {@code Last-Event-ID}, {@code "earliest"}, or null for live
     *                    events only
     * @param filter      which values to deliver, or null for all
     * @return the subscription
     * @throws IllegalArgumentException if {@code lastEventId} holds CR, LF or NUL, or is empty
     * @throws SubscriberLimitException if a subscriber limit is reached; nothing was written then
     * @throws HubClosedException if the hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription subscribe(Conn conn, String lastEventId, Predicate<? super T> filter) {
        Checks.notNull(conn, "conn");
        EventFilter f = filter == null ? null : (value, event) -> {
            @SuppressWarnings("unchecked")
            T v = value != null ? (T) value : codec.decode(event.data());
            return filter.test(v);
        };
        Map<String, EventFilter> filters = new HashMap<>();
        filters.put(name, f);
        return hub.subscribe(conn, filters, lastEventId, null);
    }

    /**
     * Publishes a value, after the commit when the calling thread runs in a JTA transaction; the
     * same as {@code publish(value, PublishMode.AFTER_COMMIT)}.
     *
     * @param value the value
     * @return the event's id, and when it is stored
     * @throws IllegalArgumentException if {@code value} is null
     * @throws EventTooLargeException if the encoded value is over the hub's {@code maxEventSize}
     * @throws HubClosedException if the hub is closed
     * @throws HistoryStoreException if the history store fails; nothing was published then
     */
    public Published publish(T value) {
        return publish(value, PublishMode.AFTER_COMMIT);
    }

    /**
     * Publishes a value: encoded once, stored with a new id, queued to every subscriber. With
     * {@link PublishMode#AFTER_COMMIT} inside a JTA transaction that happens after the commit, never
     * on a rollback (see {@link Hub}).
     *
     * @param value the value
     * @param mode  when: after the caller's transaction commits, or now
     * @return the event's id, and when it is stored
     * @throws IllegalArgumentException if an argument is null
     * @throws EventTooLargeException if the encoded value is over the hub's {@code maxEventSize}
     * @throws HubClosedException if the hub is closed
     * @throws HistoryStoreException if the history store fails; nothing was published then
     */
    public Published publish(T value, PublishMode mode) {
        Checks.notNull(value, "value");
        Checks.notNull(mode, "mode");
        return hub.publish(topicSet, Event.of(codec.encode(value)), value, mode);
    }

    /** @return this topic's counts: subscribers now, events published, delivered, dropped, cut, replayed */
    public TopicStats stats() {
        return hub.stats(name);
    }

    @Override
    public String toString() {
        return "Topic{name=" + Checks.quote(name) + ", type=" + type.getSimpleName() + "}";
    }
}
