package dev.ssekit;

import dev.ssekit.spi.Codec;
import dev.ssekit.cdi.TopicName;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.dispatch.Dispatcher;
import dev.ssekit.internal.dispatch.EventFilter;

import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Broadcasts values of type {@code T} to the connections registered on one topic.
 *
 * <pre>{@code
 * Topic<Order> orders = Topic.create(Order.class);   // or topics.hub("orders", Order.class)
 * // in the subscribe resource:
 * Conn conn = orders.open(sink, sse);
 * orders.register(conn, lastEventId);                  // replays what the client missed
 * // anywhere:
 * String id = orders.broadcast(order);
 * }</pre>
 *
 * <p>Each broadcast value is encoded once ({@link Codec}), stored in history with an id, and queued to
 * every subscriber; a broadcast never waits for a client. Connections that fail or close leave the
 * hub by themselves. Thread-safe.
 *
 * @param <T> the type of the broadcast values
 */
public final class Topic<T> implements AutoCloseable {
    private final Hub topics;
    private final String topic;
    private final Class<T> type;
    private final Codec<T> codec;
    private final boolean ownsTopics;
    private final Set<String> topicSet;
    private volatile boolean closed;

    Topic(Hub topics, String topic, Class<T> type, Codec<T> codec, boolean ownsTopics) {
        this.topics = topics;
        this.topic = topic;
        this.type = type;
        this.codec = codec;
        this.ownsTopics = ownsTopics;
        this.topicSet = Set.of(topic);
    }

    /**
     * A hub of its own, on topic {@code "default"}, with default settings and an in-memory history;
     * closing it stops everything it made. It reads no configuration ({@code ssekit.*} keys are
     * ignored): for tests and small programs. For settings or several topics, use {@link Hub}; in
     * a CDI application inject the application's hubs ({@code @Inject @TopicName("name") Topic<T>}).
     *
     * @param type the value type
     * @param <T>  the value type
     * @return the hub
     * @throws IllegalArgumentException if {@code type} is null
     */
    public static <T> Topic<T> create(Class<T> type) {
        Checks.notNull(type, "type");
        Hub own = Hub.create();
        return new Topic<>(own, "default", type, Codec.forType(type), true);
    }

    /** @return the topic this hub broadcasts on */
    public String topic() {
        return topic;
    }

    /** @return the value type */
    public Class<T> type() {
        return type;
    }

    /**
     * Opens a connection with the settings and threads of this hub's registry.
     *
     * @param sink the request's sink
     * @param sse  the JAX-RS {@code Sse} of the request
     * @return the open connection
     * @throws IllegalArgumentException if an argument is null or the sink is closed
     * @throws HubClosedException if the hub is closed
     */
    public Conn open(SseEventSink sink, Sse sse) {
        checkOpen();
        return topics.open(sink, sse);
    }

    /**
     * Registers a connection for live events, with no replay.
     *
     * @param conn the connection
     * @return the subscription
     * @throws HubClosedException if the hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription register(Conn conn) {
        return register(conn, null, null);
    }

    /**
     * Registers a connection, first replaying the events after {@code lastEventId}; see
     * {@link Subscription#replayStartedAfter()} for unknown ids.
     *
     * @param conn        the connection
     * @param lastEventId the client's {@code Last-Event-ID}, {@code "earliest"}, or null for no replay
     * @return the subscription
     * @throws IllegalArgumentException if {@code lastEventId} holds CR, LF or NUL, or is empty
     * @throws HubClosedException if the hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription register(Conn conn, String lastEventId) {
        return register(conn, lastEventId, null);
    }

    /**
     * Registers a connection that receives only the values {@code filter} accepts. Replayed events
     * and events broadcast as {@link Event}s are decoded with the hub's codec to be filtered.
     *
     * @param conn        the connection
     * @param lastEventId the client's {@code Last-Event-ID}, {@code "earliest"}, or null for no replay
     * @param filter      which values to deliver, or null for all
     * @return the subscription
     * @throws HubClosedException if the hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription register(Conn conn, String lastEventId, Predicate<? super T> filter) {
        Checks.notNull(conn, "conn");
        checkOpen();
        EventFilter f = filter == null ? null : (value, event) -> {
            @SuppressWarnings("unchecked")
            T v = value != null ? (T) value : codec.decode(event.data());
            return filter.test(v);
        };
        Map<String, EventFilter> filters = new HashMap<>();
        filters.put(topic, f);
        return topics.subscribe(conn, filters, lastEventId);
    }

    /**
     * Removes a connection from this hub; the connection stays open.
     *
     * @param conn the connection
     * @return true if it was registered
     */
    public boolean unregister(Conn conn) {
        Checks.notNull(conn, "conn");
        return topics.dispatcher().unsubscribe(conn.connection(), topic);
    }

    /**
     * Broadcasts a value: encoded once, stored with a new id, queued to every subscriber. Inside a
     * JTA transaction that happens after the commit, never on a rollback (see {@link Hub}).
     *
     * @param value the value
     * @return the event id; inside a transaction, the id the event will carry once stored
     * @throws IllegalArgumentException if {@code value} is null
     * @throws HubClosedException if the hub is closed
     * @throws SseKitException if the history store fails; nothing was broadcast then
     */
    public String broadcast(T value) {
        return publish(value, true).id();
    }

    /**
     * Broadcasts a value at once, even inside a JTA transaction: for events that must go out
     * whatever the transaction's outcome.
     *
     * @param value the value
     * @return the event id
     * @throws IllegalArgumentException if {@code value} is null
     * @throws HubClosedException if the hub is closed
     * @throws SseKitException if the history store fails; nothing was broadcast then
     */
    public String broadcastNow(T value) {
        return publish(value, false).id();
    }

    /**
     * Broadcasts as {@link #broadcast(Object)} does, and tells when the event is stored: at once
     * outside a transaction, after the commit inside one; the stage fails if the transaction rolls
     * back or the store refuses the event (see {@link Hub#publishAsync}).
     *
     * @param value the value
     * @return a stage that completes with the event's id once it is stored
     * @throws IllegalArgumentException if {@code value} is null
     * @throws HubClosedException if the hub is closed
     */
    public java.util.concurrent.CompletionStage<String> broadcastAsync(T value) {
        try {
            return publish(value, true).stored();
        } catch (HubClosedException e) {
            throw e;
        } catch (SseKitException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private Dispatcher.Accepted publish(T value, boolean followTransaction) {
        Checks.notNull(value, "value");
        checkOpen();
        Event event = Event.of(codec.encode(value));
        return topics.dispatcher().publish(topicSet, event, value, followTransaction);
    }

    /**
     * Broadcasts an event as it is (its type, id and retry are kept; an id is assigned if absent).
     * Inside a JTA transaction that happens after the commit, as {@link #broadcast(Object)}.
     *
     * @param event a message event
     * @return the event id
     * @throws IllegalArgumentException if the event is null, a comment, or its id is already in history
     * @throws HubClosedException if the hub is closed
     * @throws SseKitException if the history store fails; nothing was broadcast then
     */
    public String broadcast(Event event) {
        checkOpen();
        return topics.publish(topicSet, event);
    }

    /** @return how many connections are registered */
    public int clients() {
        return topics.dispatcher().subscribers(topic);
    }

    /** @return this topic's counts: subscribers now, events published, delivered, dropped, replayed */
    public TopicStats stats() {
        return topics.stats(topic);
    }

    /** @return true once closed */
    public boolean isClosed() {
        return closed || topics.isClosed();
    }

    private void checkOpen() {
        if (isClosed()) {
            throw new HubClosedException("hub " + Checks.quote(topic));
        }
    }

    /**
     * Closes the hub: its connections are ended gracefully (queued events are written first), and later
     * calls to register or broadcast throw {@link HubClosedException}. A hub made by {@link #create}
     * also stops its threads and history. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownsTopics) {
            topics.close();
            return;
        }
        topics.forget(this);
        topics.dispatcher().closeTopic(topic);
    }

    @Override
    public String toString() {
        return "Topic{topic=" + Checks.quote(topic) + ", type=" + type.getSimpleName() + ", clients=" + clients() + "}";
    }
}
