package dev.ssekit;

import dev.ssekit.spi.Codec;
import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.internal.Settings;
import dev.ssekit.spi.SubscriberListener;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.cdi.TopicName;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.config.SseKitConfig;
import dev.ssekit.internal.metrics.Metrics;
import dev.ssekit.internal.dispatch.Dispatcher;
import dev.ssekit.internal.dispatch.EventFilter;
import dev.ssekit.internal.Limits;
import dev.ssekit.internal.conn.ClientAddress;
import dev.ssekit.internal.tx.Transactions;

import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A registry of named hubs sharing one history, one set of threads and one publish order (the Go
 * guide's multi-room pattern), so that one connection can listen to several topics.
 *
 * <pre>{@code
 * Hub topics = Hub.builder().heartbeat(Duration.ofSeconds(15)).build();
 * Topic<Order> orders = topics.hub("orders", Order.class);
 * Conn conn = topics.open(sink, sse);
 * topics.subscribe(conn, List.of("orders", "alerts"), lastEventId);
 * orders.broadcast(order);
 * }</pre>
 *
 * <p>An event published to several topics reaches a connection subscribed to more than one of them
 * once. Event ids come from the history store and are ordered across all topics. Thread-safe.
 *
 * <h2>Transactions</h2>
 * A publish made while the calling thread runs in a JTA transaction follows it: the event is stored
 * and delivered only after the transaction commits, never if it rolls back. Events of one
 * transaction keep their publish order; transactions are published in the order they commit. The
 * call returns the id the event will carry (its own, or a {@code urn:uuid:} id given at the call);
 * {@link #publishAsync} also returns a stage that completes once the event is stored, and
 * {@link #publishNow} publishes at once whatever the transaction. The transaction is found through
 * the server's {@code java:comp/TransactionSynchronizationRegistry}, or the registry given to
 * {@link Builder#transactions}; where there is neither (no JTA on the class path, the embedded hub),
 * every publish is immediate. What a crash between the commit and the store loses depends on the
 * store: nothing with a {@link dev.ssekit.history.TransactionalHistoryStore} that joins the
 * transaction (the JDBC store on the server's JTA {@code DataSource}, a transactional outbox); the
 * events of the transactions that had committed and were not stored yet with any other store.
 */
public final class Hub implements AutoCloseable {
    /** The default {@link Builder#maxEventSize}: 1 MiB. */
    public static final int DEFAULT_MAX_EVENT_SIZE = Limits.DEFAULTS.maxEventSize();
    /** The default {@link Builder#maxTopicsPerSubscription}: 100. */
    public static final int DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION = Limits.DEFAULTS.maxTopicsPerSubscription();

    private final Dispatcher dispatcher;
    private final ConcurrentMap<String, Topic<?>> hubs = new ConcurrentHashMap<>();

    private Hub(Builder b) {
        boolean ownsStore = b.history == null || b.ownsHistory;
        HistoryStore store = b.history == null ? InMemoryHistoryStore.create() : b.history;
        Transactions tx = b.transactions != null ? Transactions.of(b.transactions)
                : Transactions.lookup(Hub.class.getClassLoader());
        this.dispatcher = new Dispatcher(b.name, store, ownsStore, b.settings, b.limits, b.listener, b.metrics,
                b.meteredTopics, tx);
    }

    /**
     * A registry of its own with the default settings and an in-memory history. It reads no
     * configuration ({@code ssekit.*} keys are ignored) and is yours to close; in a CDI application
     * inject the application's registry instead ({@code @Inject @TopicName Hub}).
     *
     * @return the registry
     */
    public static Hub create() {
        return builder().build();
    }

    /**
     * A builder for a registry of its own, starting from the defaults. It reads no configuration: only
     * its setters count ({@code ssekit.*} keys in MicroProfile Config, system properties or the
     * environment are ignored); for those, use {@link #configured()}. The registry is yours to close.
     * In a CDI application inject the application's registry instead ({@code @Inject @TopicName Hub}):
     * configured, and closed by the server.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A registry made from the configuration an injected one reads, for code without CDI: the same
     * keys (heartbeat, queue, limits, history store and its retention, ...; see
     * docs/configuration.md) from MicroProfile Config when it is present, else from system properties, the
     * environment and {@code META-INF/microprofile-config.properties} ({@link Settings#current()}).
     * Like an injected registry, it reports to MicroProfile Metrics when the application has them.
     * The history store it opens is closed with the registry.
     *
     * @return a builder holding those settings and store; its setters may still change them
     * @throws IllegalArgumentException naming the key and value of an invalid setting
     * @throws HistoryStoreException    if the configured history store cannot be reached
     */
    public static Builder configured() {
        return configured(Settings.current());
    }

    /**
     * A registry made from the given settings, read as {@link #configured()} reads the application's.
     *
     * @param settings the settings, e.g. {@link Settings#of(java.util.Map)}
     * @return a builder holding those settings and store; its setters may still change them
     * @throws IllegalArgumentException naming the key and value of an invalid setting
     * @throws HistoryStoreException    if the configured history store cannot be reached
     */
    public static Builder configured(Settings settings) {
        SseKitConfig config = SseKitConfig.read(Checks.notNull(settings, "settings"));
        HistoryStore store = config.openStore();
        try {
            Builder b = config.applyTo(builder()).history(store).metrics(Metrics.forApplication());
            b.ownsHistory = true;
            return b;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * The hub of a topic with {@code String} values, made on first use.
     *
     * @param topic the topic name, not empty
     * @return the hub
     * @throws IllegalArgumentException if the name is empty or the hub exists with another type
     * @throws HubClosedException if this registry is closed
     */
    public Topic<String> hub(String topic) {
        return hub(topic, String.class);
    }

    /**
     * The hub of a topic, made on first use with the default codec for {@code type}
     * ({@link Codec#forType}).
     *
     * @param topic the topic name, not empty
     * @param type  the value type
     * @param <T>   the value type
     * @return the hub
     * @throws IllegalArgumentException if the name is empty or the hub exists with another type
     * @throws HubClosedException if this registry is closed
     */
    public <T> Topic<T> hub(String topic, Class<T> type) {
        return hub(topic, type, null);
    }

    /**
     * The hub of a topic, made on first use with the given codec.
     *
     * @param topic the topic name, not empty
     * @param type  the value type
     * @param codec how values become event data; null for {@link Codec#forType}
     * @param <T>   the value type
     * @return the hub
     * @throws IllegalArgumentException if the name is empty or the hub exists with another type
     * @throws HubClosedException if this registry is closed
     */
    @SuppressWarnings("unchecked")
    public <T> Topic<T> hub(String topic, Class<T> type, Codec<T> codec) {
        Checks.singleLine(topic, "topic");
        Checks.notNull(type, "type");
        dispatcher.checkOpen();
        Topic<?> hub = hubs.computeIfAbsent(topic,
                t -> new Topic<>(this, t, type, codec == null ? Codec.forType(type) : codec, false));
        if (hub.type() != type) {
            throw new IllegalArgumentException("topic " + Checks.quote(topic) + " already has a hub of "
                    + hub.type().getName() + ", not " + type.getName());
        }
        return (Topic<T>) hub;
    }

    void forget(Topic<?> hub) {
        hubs.remove(hub.topic(), hub);
    }

    /**
     * Opens a connection with this registry's settings and threads. Its writes, beginning with
     * {@code : connected}, start when it is subscribed (or sends something), still within the
     * request: the container commits the response headers at the first write, and the subscription
     * sets {@code Mercure-Last-Event-ID} first. Prefer this to {@link Conn#open} for hub connections.
     * In a Jakarta EE server the connection knows the client's address (from the servlet request).
     *
     * @param sink the request's sink
     * @param sse  the JAX-RS {@code Sse} of the request
     * @return the open connection
     * @throws IllegalArgumentException if an argument is null or the sink is closed
     * @throws HubClosedException if this registry is closed
     */
    public Conn open(SseEventSink sink, Sse sse) {
        // In a Jakarta EE server the client's address comes from the request; elsewhere it is unknown.
        return open(sink, sse, ClientAddress.current());
    }

    /**
     * Opens a connection with this registry's settings and threads.
     *
     * @param sink          the request's sink
     * @param sse           the JAX-RS {@code Sse} of the request
     * @param remoteAddress the client's address for logs and events, or null
     * @return the open connection
     * @throws IllegalArgumentException if the sink or sse is null, or the sink is closed
     * @throws HubClosedException if this registry is closed
     */
    public Conn open(SseEventSink sink, Sse sse, String remoteAddress) {
        return new Conn(dispatcher.open(Checks.notNull(sink, "sink"), Checks.notNull(sse, "sse"), null, remoteAddress));
    }

    /**
     * Subscribes a connection to several topics at once, replaying what it missed across all of
     * them, in history order, before live events.
     *
     * @param conn        the connection
     * @param topics      the topics, at least one
     * @param lastEventId the client's {@code Last-Event-ID}, {@code "earliest"} for all retained
     *                    events, or null for no replay
     * @return the subscription, which tells where replay started
     * @throws IllegalArgumentException if an argument is wrong, naming it
     * @throws HubClosedException if this registry is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription subscribe(Conn conn, Collection<String> topics, String lastEventId) {
        Checks.notNull(conn, "conn");
        Checks.notNull(topics, "topics");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty");
        }
        Map<String, EventFilter> filters = new LinkedHashMap<>();
        for (String topic : topics) {
            filters.put(Checks.singleLine(topic, "topic"), null);
        }
        return subscribe(conn, filters, lastEventId);
    }

    /**
     * Subscribes a connection to exact topics and, through a matcher, to every event whose topics it
     * accepts (wildcards, templates, patterns). Exact topics stay a map lookup at publish time; the
     * matcher is asked only about events that none of the connection's exact topics brought it, so
     * it gets each event once. Replay after {@code lastEventId} gives what live delivery would have
     * given: the retained events on the exact topics or accepted by the matcher, read with
     * {@link dev.ssekit.history.HistoryStore#readMatching}, with the same gap-free handoff to live
     * events.
     *
     * @param conn        the connection
     * @param topics      exact topics, possibly none when {@code matcher} is given
     * @param matcher     chooses further events by their topics, or null for none
     * @param lastEventId the client's {@code Last-Event-ID}, {@code "earliest"}, or null for no replay
     * @return the subscription (its {@link Subscription#topics()} are the exact topics)
     * @throws IllegalArgumentException if an argument is wrong, naming it, or there is neither a
     *                                  topic nor a matcher
     * @throws HubClosedException if this registry is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription subscribe(Conn conn, Collection<String> topics, TopicMatcher matcher, String lastEventId) {
        Checks.notNull(conn, "conn");
        Checks.notNull(topics, "topics");
        if (topics.isEmpty() && matcher == null) {
            throw new IllegalArgumentException("topics must not be empty when there is no matcher");
        }
        Map<String, EventFilter> filters = new LinkedHashMap<>();
        for (String topic : topics) {
            filters.put(Checks.singleLine(topic, "topic"), null);
        }
        return subscribe(conn, filters, matcher, lastEventId);
    }

    Subscription subscribe(Conn conn, Map<String, EventFilter> filters, String lastEventId) {
        return subscribe(conn, filters, null, lastEventId);
    }

    private Subscription subscribe(Conn conn, Map<String, EventFilter> filters, TopicMatcher matcher,
                                   String lastEventId) {
        if (lastEventId != null) {
            Checks.singleLine(lastEventId, "lastEventId");
        }
        Dispatcher.Subscribed s = dispatcher.subscribe(conn.connection(), filters, matcher, lastEventId);
        return new Subscription(conn, s.topics(), s.replayStartedAfter(), s.replayed(), this, matcher != null);
    }

    /**
     * Publishes an event to one or more topics: it is stored, given an id when it has none, and
     * queued to every subscriber of any of the topics, once each. Inside a JTA transaction, that
     * happens after the commit (see Transactions above).
     *
     * @param topics the topics, at least one
     * @param event  a message event
     * @return the event's id; inside a transaction, the id it will carry once stored
     * @throws IllegalArgumentException if an argument is wrong
     * @throws EventTooLargeException if the event's data is over {@link Builder#maxEventSize}
     * @throws DuplicateIdException if the id is already in history (inside a transaction: only
     *                              with an outbox store; otherwise {@link #publishAsync}'s stage fails)
     * @throws HubClosedException if this registry is closed
     * @throws SseKitException if the history store fails; nothing was published then
     */
    public String publish(Collection<String> topics, Event event) {
        return dispatcher.publish(checkPublish(topics, event), event, null, true).id();
    }

    /**
     * Publishes an event at once, as outside a transaction, even while the calling thread runs in
     * one: for events that must go out whatever the transaction's outcome (progress, failures).
     *
     * @param topics the topics, at least one
     * @param event  a message event
     * @return the event's id
     * @throws IllegalArgumentException if an argument is wrong
     * @throws DuplicateIdException if the id is already in history
     * @throws HubClosedException if this registry is closed
     * @throws SseKitException if the history store fails; nothing was published then
     */
    public String publishNow(Collection<String> topics, Event event) {
        return dispatcher.publish(checkPublish(topics, event), event, null, false).id();
    }

    /**
     * Publishes as {@link #publish} does, and tells when the event is stored. Outside a transaction
     * the event is stored before this returns and the stage is already complete (or failed, with
     * the store's exception). Inside a transaction the stage completes with the id once the event
     * is stored after the commit, and fails if the transaction rolls back ({@link SseKitException})
     * or the store refuses the event ({@link DuplicateIdException}, {@link HistoryStoreException}).
     *
     * @param topics the topics, at least one
     * @param event  a message event
     * @return a stage that completes with the event's id once it is stored
     * @throws IllegalArgumentException if an argument is wrong
     * @throws HubClosedException if this registry is closed
     */
    public CompletionStage<String> publishAsync(Collection<String> topics, Event event) {
        Set<String> set = checkPublish(topics, event);
        try {
            return dispatcher.publish(set, event, null, true).stored();
        } catch (HubClosedException e) {
            throw e;
        } catch (SseKitException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Set<String> checkPublish(Collection<String> topics, Event event) {
        Checks.notNull(topics, "topics");
        Checks.notNull(event, "event");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty");
        }
        if (event.isComment()) {
            throw new IllegalArgumentException("event must not be a comment: comments are not published");
        }
        Set<String> set = new java.util.LinkedHashSet<>();
        for (String topic : topics) {
            set.add(Checks.singleLine(topic, "topic"));
        }
        return set;
    }

    /**
     * Checks, without subscribing, that a client could subscribe to {@code topics} now, so that an
     * endpoint can answer {@code 503} before it starts a stream. {@link #subscribe} checks again.
     *
     * @param topics the topics
     * @throws SubscriberLimitException if a subscriber limit is reached
     * @throws IllegalArgumentException if there are more topics than a subscription may name
     */
    public void checkRoom(Collection<String> topics) {
        Checks.notNull(topics, "topics");
        dispatcher.checkRoom(Set.copyOf(topics));
    }

    /**
     * @param topic a topic
     * @return its counts since this registry started (zeros for a topic never used)
     */
    public TopicStats stats(String topic) {
        return dispatcher.stats(Checks.singleLine(topic, "topic"));
    }

    /** @return the distinct connections subscribed to any topic */
    public int clients() {
        return dispatcher.clients();
    }

    /**
     * Tells whether this registry's own threads work: the writers that drain every client's queue,
     * and the sweeper that sends heartbeats and enforces write timeouts. What a liveness probe asks
     * (ssekit's MicroProfile Health check reports it); the history store's state is
     * {@link HistoryStore#check()}'s.
     *
     * @return empty while they run and make progress; otherwise what is stopped or stuck, and for
     *         how long (a closed registry's threads are stopped)
     */
    public java.util.Optional<String> stuckThreads() {
        return dispatcher.threadProblem();
    }

    /** @return the history store */
    public HistoryStore history() {
        return dispatcher.store();
    }

    /** @return true once closed */
    public boolean isClosed() {
        return dispatcher.isClosed();
    }

    /**
     * Closes every connection gracefully (queued events are written first, bounded by the write
     * timeout), then the threads and, unless it was given, the history store. Later calls to
     * register, subscribe or publish throw {@link HubClosedException}. Idempotent.
     */
    @Override
    public void close() {
        dispatcher.close();
        hubs.clear();
    }

    @Override
    public String toString() {
        return "Hub{hubs=" + hubs.keySet() + ", clients=" + clients() + "}";
    }

    /** Settings of a registry and of the connections it opens; each setter checks at once. */
    public static final class Builder extends ConnectionSettings<Builder> {
        private HistoryStore history;
        private boolean ownsHistory;
        private String name = "ssekit";
        private SubscriberListener listener;
        private Limits limits = Limits.DEFAULTS;
        private MetricsBinding metrics = MetricsBinding.NONE;
        private java.util.Set<String> meteredTopics;
        private Object transactions;

        private Builder() {
        }

        /**
         * The JTA registry whose transactions publishes follow, for a standalone transaction manager
         * (in a Jakarta EE server the server's is found by itself, at
         * {@code java:comp/TransactionSynchronizationRegistry}).
         *
         * @param value the transaction manager's registry
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is null
         */
        public Builder transactions(jakarta.transaction.TransactionSynchronizationRegistry value) {
            this.transactions = Checks.notNull(value, "transactions");
            return this;
        }

        /**
         * @param value the history store (default: a new {@link InMemoryHistoryStore}, closed with
         *              the registry; a store given here is the caller's to close)
         * @return this builder
         */
        public Builder history(HistoryStore value) {
            this.history = Checks.notNull(value, "history");
            this.ownsHistory = false;
            return this;
        }

        /**
         * @param value a name for threads and messages, not empty (default "ssekit")
         * @return this builder
         */
        public Builder name(String value) {
            this.name = Checks.singleLine(value, "name");
            return this;
        }

        /**
         * @param value told when connections subscribe and end (default: nobody)
         * @return this builder
         */
        public Builder listener(SubscriberListener value) {
            this.listener = Checks.notNull(value, "listener");
            return this;
        }

        /**
         * @param value the largest event data published, in UTF-8 bytes, at least 1 (default 1 MiB);
         *              a larger event is refused with an {@link IllegalArgumentException}
         * @return this builder
         */
        public Builder maxEventSize(int value) {
            limits = limits.withMaxEventSize(value);
            return this;
        }

        /**
         * @param value subscribers one topic may have, at least 1 (default: no limit); one more is
         *              refused with a {@link SubscriberLimitException}
         * @return this builder
         */
        public Builder maxSubscribersPerTopic(int value) {
            limits = limits.withMaxSubscribersPerTopic(value);
            return this;
        }

        /**
         * @param value connections the registry may have subscribed, at least 1 (default: no limit);
         *              one more is refused with a {@link SubscriberLimitException}
         * @return this builder
         */
        public Builder maxSubscribers(int value) {
            limits = limits.withMaxSubscribers(value);
            return this;
        }

        /**
         * @param value topics one subscription may name, at least 1 (default 100)
         * @return this builder
         */
        public Builder maxTopicsPerSubscription(int value) {
            limits = limits.withMaxTopicsPerSubscription(value);
            return this;
        }

        /**
         * @param value writer threads that clients which stopped reading may hold at once, beyond the
         *              pool's own (4 per core, at least 8), at least 0 (default 64). Past it the client
         *              stalled longest is cut as a slow consumer: it reconnects and replays what it
         *              missed. Only writes through a JAX-RS sink can hold a thread.
         * @return this builder
         * @throws IllegalArgumentException if the value is negative
         */
        public Builder maxStalledWriters(int value) {
            limits = limits.withMaxStalledWriters(value);
            return this;
        }

        /**
         * @param value the most events one connection's replay writes, at least 0 (default 10,000).
         *              A client that missed more gets none of them: its replay starts after the
         *              newest event at the time it subscribed, which {@link Subscription#replayStartedAfter()}
         *              (and {@code Mercure-Last-Event-ID}) names, unlike the id it asked for: the
         *              protocol's data-loss signal. 0 turns replay off in the same way.
         * @return this builder
         * @throws IllegalArgumentException if the value is negative
         */
        public Builder maxReplayEvents(int value) {
            limits = limits.withMaxReplayEvents(value);
            return this;
        }

        /**
         * @param value the {@code retry:} hint written to every connection, after its queued events
         *              and before its stream ends, when this registry closes, so that clients
         *              reconnect (to another node) after that long; positive (default 5 s)
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder shutdownRetry(java.time.Duration value) {
            settings = settings.withShutdownRetry(value);
            return this;
        }

        /**
         * @param value how long a publisher waits for the history store to take its event, positive
         *              (default 15 s): past it the publish fails with a {@link HistoryStoreException}
         *              and nothing of it is stored. An event the store has taken waits for that store
         *              call, which the store's own timeouts bound, and at most twice this in all.
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder publishTimeout(java.time.Duration value) {
            limits = limits.withPublishTimeout(value);
            return this;
        }

        /**
         * @param value how long {@link Hub#close()} may take in all, positive (default 20 s, within
         *              Kubernetes' default 30 s grace period): up to 40 % of it for the publishes already
         *              accepted (and, on a shared store, following it to its end), until 70 % for the
         *              streams to take their queued events and the retry hint (those that do not are
         *              cut), until 85 % for the threads and the store; the rest is left to the container.
         *              A publish not stored by then fails; none is acknowledged and then lost.
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder shutdownTimeout(java.time.Duration value) {
            limits = limits.withShutdownTimeout(value);
            return this;
        }

        /**
         * @param value over how long this node ends its streams when it must make every client catch
         *              up by replay, positive (default 10 s): when it follows a shared store and missed
         *              events the store can no longer read back to it, or when it cannot tell what a
         *              store call that failed kept. The streams end one after another across the
         *              window, each with a {@code retry:} hint of its own between 1 s and 1 s plus the
         *              window, so that their clients do not all reconnect and read history at once.
         *              Until its stream ends, a client gets no event past what the node missed, so
         *              that its {@code Last-Event-ID} stays before the gap
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder reconnectWindow(java.time.Duration value) {
            limits = limits.withReconnectWindow(value);
            return this;
        }

        /**
         * @param value where per-topic counts are reported (default: only {@link Topic#stats()})
         * @return this builder
         */
        public Builder metrics(MetricsBinding value) {
            this.metrics = Checks.notNull(value, "metrics");
            return this;
        }

        /**
         * Names the topics the metrics report one by one; every other topic reports under the one
         * topic tag {@code ssekit:other-topics}. Without it, the first 1,000 topics published or
         * subscribed to are reported one by one: set it where clients name topics (a Mercure hub's
         * topics are URLs its clients choose), so that they cannot choose the series either.
         * {@link Topic#stats()} and {@link Hub#stats(String)} count the first 1,000 topics one by one
         * whatever is set here.
         *
         * @param topics the topics to report by name; empty for none
         * @return this builder
         * @throws IllegalArgumentException if {@code topics} is null or holds null
         */
        public Builder meteredTopics(java.util.Collection<String> topics) {
            Checks.notNull(topics, "meteredTopics");
            for (String t : topics) {
                Checks.notNull(t, "meteredTopics element");
            }
            this.meteredTopics = java.util.Set.copyOf(topics);
            return this;
        }

        /** @return the registry */
        public Hub build() {
            return new Hub(this);
        }
    }
}
