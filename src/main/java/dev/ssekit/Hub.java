package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.HubAccess;
import dev.ssekit.internal.Limits;
import dev.ssekit.internal.Settings;
import dev.ssekit.internal.config.SseKitConfig;
import dev.ssekit.internal.conn.ClientAddress;
import dev.ssekit.internal.conn.ConnSettings;
import dev.ssekit.internal.dispatch.Dispatcher;
import dev.ssekit.internal.dispatch.EventFilter;
import dev.ssekit.internal.metrics.Metrics;
import dev.ssekit.internal.tx.Transactions;
import dev.ssekit.spi.Codec;
import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.spi.SubscriberListener;
import dev.ssekit.spi.TopicMatcher;

import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * The hub: it opens clients' streams ({@link Conn}), subscribes them to topics, and publishes events
 * to them, with one history, one set of threads and one publish order for all its topics (the Go
 * guide's multi-room pattern), so that one connection can listen to several topics. One per
 * application: inject it ({@code @Inject Hub}, configured and closed by the server) or build it.
 *
 * <pre>{@code
 * Hub hub = Hub.builder().heartbeat(Duration.ofSeconds(15)).build();   // reads ssekit.* settings too
 * Topic<Order> orders = hub.topic("orders", Order.class);
 * Conn conn = hub.open(sink);
 * hub.subscribe(conn, List.of("orders", "alerts"), lastEventId);
 * String id = orders.publish(order).id();
 * }</pre>
 *
 * <p>An event published to several topics reaches a connection subscribed to more than one of them
 * once. Event ids come from the history store and are ordered across all topics. Thread-safe.
 *
 * <h2>Transactions</h2>
 * A publish made while the calling thread runs in a JTA transaction follows it
 * ({@link PublishMode#AFTER_COMMIT}, the default): the event is stored and delivered only after the
 * transaction commits, never if it rolls back. Events of one transaction keep their publish order;
 * transactions are published in the order they commit. {@link Published#id()} is the id the event
 * will carry (its own, or a {@code urn:uuid:} id given at the call); {@link Published#stored()}
 * completes once the event is stored, and {@link PublishMode#NOW} publishes at once whatever the
 * transaction. The transaction is found through the server's
 * {@code java:comp/TransactionSynchronizationRegistry}, or the registry given to
 * {@link Builder#transactions}; where there is neither (no JTA on the class path, the embedded hub),
 * every publish is immediate. What a crash between the commit and the store loses depends on the
 * store: nothing with a {@link dev.ssekit.history.TransactionalHistoryStore} that joins the
 * transaction (the JDBC store on the server's JTA {@code DataSource}, a transactional outbox); the
 * events of the transactions that had committed and were not stored yet with any other store.
 */
public final class Hub implements AutoCloseable {
    static {
        HubAccess.install(new HubAccess.Calls() {
            @Override
            public void checkRoom(Hub hub, Collection<String> topics) {
                Checks.notNull(topics, "topics");
                hub.dispatcher.checkRoom(Set.copyOf(topics));
            }
        });
    }

    private final Dispatcher dispatcher;
    private final ConcurrentMap<String, Topic<?>> topics = new ConcurrentHashMap<>();

    private Hub(Builder b, HistoryStore store, boolean ownsStore, MetricsBinding metrics) {
        Transactions tx = b.transactions != null ? Transactions.of(b.transactions)
                : Transactions.lookup(Hub.class.getClassLoader());
        this.dispatcher = new Dispatcher(b.name, store, ownsStore, b.settings, b.limits, b.listener, metrics,
                b.meteredTopics, tx);
    }

    /**
     * A builder that starts from the configuration an injected hub reads: the {@code ssekit.*} keys
     * (heartbeat, queue, limits, history store and its retention, ...; see docs/configuration.md)
     * from MicroProfile Config when it is present, else from system properties, the environment and
     * {@code META-INF/microprofile-config.properties}. A setter overrides its key;
     * {@link Builder#config(Map)} replaces the source. The hub you build is yours to close; in a CDI
     * application inject the application's hub instead ({@code @Inject Hub}), which the server
     * configures, checks and closes.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * The typed view of a topic, made on first use. A {@code Topic<String>} publishes its values as
     * they are; other types go through {@link Codec#json(Class)} (JSON-B).
     *
     * @param name the topic name, not empty
     * @param type the value type
     * @param <T>  the value type
     * @return the topic
     * @throws IllegalArgumentException if the name is empty or the topic exists with another type
     * @throws HubClosedException if this hub is closed
     */
    public <T> Topic<T> topic(String name, Class<T> type) {
        return topic(name, type, null);
    }

    /**
     * The typed view of a topic, made on first use with the given codec.
     *
     * @param name  the topic name, not empty
     * @param type  the value type
     * @param codec how values become event data; null for the default (see {@link #topic(String, Class)})
     * @param <T>   the value type
     * @return the topic
     * @throws IllegalArgumentException if the name is empty or the topic exists with another type
     * @throws HubClosedException if this hub is closed
     */
    @SuppressWarnings("unchecked")
    public <T> Topic<T> topic(String name, Class<T> type, Codec<T> codec) {
        Checks.singleLine(name, "name");
        Checks.notNull(type, "type");
        dispatcher.checkOpen();
        Topic<?> topic = topics.computeIfAbsent(name,
                t -> new Topic<>(this, t, type, codec == null ? Codec.forType(type) : codec));
        if (topic.type() != type) {
            throw new IllegalArgumentException("topic " + Checks.quote(name) + " already has values of "
                    + topic.type().getName() + ", not " + type.getName());
        }
        return (Topic<T>) topic;
    }

    /**
     * Opens a client's stream with this hub's settings and threads. Its writes, beginning with
     * {@code : connected}, start when it is subscribed (or sends something), still within the
     * request: the container commits the response headers at the first write, and the subscription
     * sets {@code Mercure-Last-Event-ID} first. In a Jakarta EE server the connection knows the
     * client's address (from the servlet request).
     *
     * @param sink the request's sink
     * @return the open connection
     * @throws IllegalArgumentException if the sink is null or closed
     * @throws HubClosedException if this hub is closed
     */
    public Conn open(SseEventSink sink) {
        // In a Jakarta EE server the client's address comes from the request; elsewhere it is unknown.
        return new Conn(dispatcher.open(Checks.notNull(sink, "sink"), null, ClientAddress.current()));
    }

    /**
     * Subscribes a connection to several topics at once, replaying what it missed across all of
     * them, in history order, before live events.
     *
     * @param conn        the connection
     * @param topics      the topics, at least one
     * @param lastEventId the client's {@code Last-Event-ID}, {@link HistoryStore#EARLIEST} for all
     *                    retained events, or null for no replay
     * @return the subscription, which tells where replay started
     * @throws IllegalArgumentException if an argument is wrong, naming it
     * @throws SubscriberLimitException if a subscriber limit is reached; nothing was written then
     * @throws HubClosedException if this hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription subscribe(Conn conn, Collection<String> topics, String lastEventId) {
        return subscribe(conn, topics, lastEventId, null);
    }

    /**
     * Subscribes a connection to exact topics and, through a matcher, to every event whose topics it
     * accepts (wildcards, templates, patterns). Exact topics stay a map lookup at publish time; the
     * matcher is asked only about events that none of the connection's exact topics brought it, so
     * it gets each event once. Replay after {@code lastEventId} gives what live delivery would have
     * given: the retained events on the exact topics or accepted by the matcher, read with
     * {@link HistoryStore#readMatching}, with the same gap-free handoff to live events.
     *
     * @param conn        the connection
     * @param topics      exact topics, possibly none when {@code matcher} is given
     * @param lastEventId the client's {@code Last-Event-ID}, {@link HistoryStore#EARLIEST}, or null
     *                    for no replay
     * @param matcher     chooses further events by their topics, or null for none
     * @return the subscription (its {@link Subscription#topics()} are the exact topics)
     * @throws IllegalArgumentException if an argument is wrong, naming it, or there is neither a
     *                                  topic nor a matcher
     * @throws SubscriberLimitException if a subscriber limit is reached; nothing was written then
     * @throws HubClosedException if this hub is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscription subscribe(Conn conn, Collection<String> topics, String lastEventId, TopicMatcher matcher) {
        Checks.notNull(conn, "conn");
        Checks.notNull(topics, "topics");
        if (topics.isEmpty() && matcher == null) {
            throw new IllegalArgumentException("topics must not be empty when there is no matcher");
        }
        Map<String, EventFilter> filters = new LinkedHashMap<>();
        for (String topic : topics) {
            filters.put(Checks.singleLine(topic, "topic"), null);
        }
        return subscribe(conn, filters, lastEventId, matcher);
    }

    Subscription subscribe(Conn conn, Map<String, EventFilter> filters, String lastEventId, TopicMatcher matcher) {
        if (lastEventId != null) {
            Checks.singleLine(lastEventId, "lastEventId");
        }
        Dispatcher.Subscribed s = dispatcher.subscribe(conn.connection(), filters, matcher, lastEventId);
        return new Subscription(conn, s.topics(), s.replayStartedAfter(), s.replayed(), this, matcher != null);
    }

    /**
     * Publishes an event to one or more topics, after the commit when the calling thread runs in a
     * JTA transaction; the same as {@code publish(topics, event, PublishMode.AFTER_COMMIT)}.
     *
     * @param topics the topics, at least one
     * @param event  a message event, sent as it is (its type, id and retry are kept)
     * @return the event's id, and when it is stored
     * @throws IllegalArgumentException if an argument is wrong, naming it
     * @throws EventTooLargeException if the event's data is over {@link Builder#maxEventSize}
     * @throws DuplicateIdException if the id is already in history (inside a transaction: only
     *                              with an outbox store; otherwise {@link Published#stored()} fails)
     * @throws HubClosedException if this hub is closed
     * @throws HistoryStoreException if the history store fails; nothing was published then
     */
    public Published publish(Collection<String> topics, Event event) {
        return publish(topics, event, PublishMode.AFTER_COMMIT);
    }

    /**
     * Publishes an event to one or more topics: it is stored, given an id when it has none, and
     * queued to every subscriber of any of the topics, once each, in one order for all topics.
     * {@link PublishMode#AFTER_COMMIT} inside a JTA transaction does that after the commit (see
     * Transactions above). With a history store of one node the event is queued to this node's
     * subscribers when this returns; with a {@link dev.ssekit.history.SharedHistoryStore}, every
     * node's subscribers get it through that node's follow of the store, this node's included, which
     * may still be handing it on when this returns (by at most 512 events and a tenth of the shutdown
     * timeout; past that a publish waits for its own event).
     *
     * @param topics the topics, at least one
     * @param event  a message event, sent as it is (its type, id and retry are kept)
     * @param mode   when: after the caller's transaction commits, or now
     * @return the event's id, and when it is stored
     * @throws IllegalArgumentException if an argument is wrong, naming it
     * @throws EventTooLargeException if the event's data is over {@link Builder#maxEventSize}
     * @throws DuplicateIdException if the id is already in history (after a commit: only with an
     *                              outbox store; otherwise {@link Published#stored()} fails)
     * @throws HubClosedException if this hub is closed
     * @throws HistoryStoreException if the history store fails; nothing was published then
     */
    public Published publish(Collection<String> topics, Event event, PublishMode mode) {
        Checks.notNull(mode, "mode");
        return publish(checkPublish(topics, event), event, null, mode);
    }

    Published publish(Set<String> topics, Event event, Object value, PublishMode mode) {
        Dispatcher.Accepted accepted = dispatcher.publish(topics, event, value, mode == PublishMode.AFTER_COMMIT);
        return new Published(accepted.id(), accepted.stored());
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
        Set<String> set = new LinkedHashSet<>();
        for (String topic : topics) {
            set.add(Checks.singleLine(topic, "topic"));
        }
        return set;
    }

    /**
     * @param topic a topic
     * @return its counts since this hub started (zeros for a topic never used)
     */
    public TopicStats stats(String topic) {
        return dispatcher.stats(Checks.singleLine(topic, "topic"));
    }

    /** @return the distinct connections subscribed to any topic */
    public int clients() {
        return dispatcher.clients();
    }

    /**
     * Tells whether this hub's own threads work: the writers that drain every client's queue, and
     * the sweeper that sends heartbeats and enforces write timeouts. What a liveness probe asks
     * (ssekit's MicroProfile Health check reports it); the history store's state is
     * {@link HistoryStore#check()}'s.
     *
     * @return empty while they run and make progress; otherwise what is stopped or stuck, and for
     *         how long (a closed hub's threads are stopped)
     */
    public Optional<String> stuckThreads() {
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
     * Closes every connection gracefully (queued events are written first, within
     * {@link Builder#shutdownTimeout}), then the threads and, unless it was given, the history
     * store. Later calls to open, subscribe or publish throw {@link HubClosedException}. Idempotent.
     */
    @Override
    public void close() {
        dispatcher.close();
        topics.clear();
    }

    @Override
    public String toString() {
        return "Hub{topics=" + topics.keySet() + ", clients=" + clients() + "}";
    }

    /**
     * Settings of a hub and of the connections it opens. It starts from the configuration (see
     * {@link Hub#builder()}); each setter checks its value at once, naming it, and overrides the key.
     */
    public static final class Builder {
        private final List<Consumer<Builder>> overrides = new ArrayList<>();
        private Map<String, String> config;
        private ConnSettings settings = ConnSettings.DEFAULTS;
        private HistoryStore history;
        private String name = "ssekit";
        private SubscriberListener listener;
        private Limits limits = Limits.DEFAULTS;
        private MetricsBinding metrics;
        private java.util.Set<String> meteredTopics;
        private Object transactions;

        private Builder() {
        }

        /**
         * Checks a setting on this builder at once and keeps it, to apply it again over the
         * configuration when the hub is built.
         */
        private Builder set(Consumer<Builder> setting) {
            setting.accept(this);
            overrides.add(setting);
            return this;
        }

        /**
         * Replaces the source of the {@code ssekit.*} keys: only these values count, none from
         * MicroProfile Config, system properties, the environment or properties files (for tests,
         * and for programs that keep their settings elsewhere). Setters still override them.
         *
         * @param values setting keys and values, e.g. {@code Map.of("ssekit.heartbeat", "15s")}; empty
         *               for the defaults
         * @return this builder
         * @throws IllegalArgumentException if {@code values} is null or holds a null key or value
         */
        public Builder config(Map<String, String> values) {
            Checks.notNull(values, "config");
            values.forEach((k, v) -> {
                Checks.notNull(k, "config key");
                Checks.notNull(v, "config value of " + k);
            });
            this.config = Map.copyOf(values);
            return this;
        }

        /**
         * @param value the longest an idle connection goes unwritten, and so the bound on noticing a
         *              client that has gone; positive (default 20 s). Idle connections get a heartbeat
         *              comment three times per interval (see {@link Conn}).
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder heartbeat(Duration value) {
            return set(b -> b.settings = b.settings.withHeartbeat(value));
        }

        /**
         * @param value how many events may wait for one client, at least 1 (default 4096); the first
         *              event past it applies the overflow policy
         * @return this builder
         * @throws IllegalArgumentException if the value is below 1
         */
        public Builder queueCapacity(int value) {
            return set(b -> b.settings = b.settings.withQueueCapacity(value));
        }

        /**
         * @param value how many bytes of events (their event-stream frames) may wait for one client, at
         *              least 1 (default 64 MiB); the first event past it applies the overflow policy, except
         *              that a single larger event passes when nothing else waits. A published event's frame is
         *              made once and shared by every subscriber's queue, so clients that fall behind on
         *              the same events hold those bytes once between them
         * @return this builder
         * @throws IllegalArgumentException if the value is below 1
         */
        public Builder queueMaxBytes(long value) {
            return set(b -> b.settings = b.settings.withQueueMaxBytes(value));
        }

        /**
         * @param value the longest an event may wait for its client; positive (default 30 s). A client
         *              that reads, but too slowly to catch up, is cut as a slow consumer once its oldest
         *              queued event has waited longer, whatever the overflow policy: it reconnects and
         *              replays what it missed
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder queueMaxDelay(Duration value) {
            return set(b -> b.settings = b.settings.withQueueMaxDelay(value));
        }

        /**
         * @param value what to do when a client's queue is full (default {@link OverflowPolicy#DISCONNECT})
         * @return this builder
         * @throws IllegalArgumentException if the value is null
         */
        public Builder overflowPolicy(OverflowPolicy value) {
            return set(b -> b.settings = b.settings.withOverflow(value));
        }

        /**
         * @param value a write that takes longer ends the connection; positive (default 10 s)
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder writeTimeout(Duration value) {
            return set(b -> b.settings = b.settings.withWriteTimeout(value));
        }

        /**
         * @param value connections are closed after this long; positive (default: no limit)
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder maxLifetime(Duration value) {
            return set(b -> b.settings = b.settings.withMaxLifetime(Checks.positive(value, "maxLifetime")));
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
            return set(b -> b.transactions = Checks.notNull(value, "transactions"));
        }

        /**
         * @param value the history store (default: the configured one, in memory unless
         *              {@code ssekit.history.store} says otherwise, closed with
         *              the hub; a store given here is the caller's to close)
         * @return this builder
         */
        public Builder history(HistoryStore value) {
            return set(b -> b.history = Checks.notNull(value, "history"));
        }

        /**
         * @param value a name for threads and messages, not empty (default "ssekit")
         * @return this builder
         */
        public Builder name(String value) {
            return set(b -> b.name = Checks.singleLine(value, "name"));
        }

        /**
         * @param value told when connections subscribe and end (default: nobody)
         * @return this builder
         */
        public Builder listener(SubscriberListener value) {
            return set(b -> b.listener = Checks.notNull(value, "listener"));
        }

        /**
         * @param value the largest event data published, in UTF-8 bytes, at least 1 (default 1 MiB);
         *              a larger event is refused with an {@link IllegalArgumentException}
         * @return this builder
         */
        public Builder maxEventSize(int value) {
            return set(b -> b.limits = b.limits.withMaxEventSize(value));
        }

        /**
         * @param value subscribers one topic may have, at least 1 (default: no limit); one more is
         *              refused with a {@link SubscriberLimitException}
         * @return this builder
         */
        public Builder maxSubscribersPerTopic(int value) {
            return set(b -> b.limits = b.limits.withMaxSubscribersPerTopic(value));
        }

        /**
         * @param value connections the hub may have subscribed, at least 1 (default: no limit);
         *              one more is refused with a {@link SubscriberLimitException}
         * @return this builder
         */
        public Builder maxSubscribers(int value) {
            return set(b -> b.limits = b.limits.withMaxSubscribers(value));
        }

        /**
         * @param value topics one subscription may name, at least 1 (default 100)
         * @return this builder
         */
        public Builder maxTopicsPerSubscription(int value) {
            return set(b -> b.limits = b.limits.withMaxTopicsPerSubscription(value));
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
            return set(b -> b.limits = b.limits.withMaxStalledWriters(value));
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
            return set(b -> b.limits = b.limits.withMaxReplayEvents(value));
        }

        /**
         * @param value the {@code retry:} hint written to every connection, after its queued events
         *              and before its stream ends, when this hub closes, so that clients
         *              reconnect (to another node) after that long; positive (default 5 s)
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder shutdownRetry(java.time.Duration value) {
            return set(b -> b.settings = b.settings.withShutdownRetry(value));
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
            return set(b -> b.limits = b.limits.withPublishTimeout(value));
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
            return set(b -> b.limits = b.limits.withShutdownTimeout(value));
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
            return set(b -> b.limits = b.limits.withReconnectWindow(value));
        }

        /**
         * @param value where the hub's counts are reported (default: MicroProfile Metrics or
         *              OpenTelemetry where the application has them, else only {@link Topic#stats()});
         *              {@link MetricsBinding#NONE} for none
         * @return this builder
         */
        public Builder metrics(MetricsBinding value) {
            return set(b -> b.metrics = Checks.notNull(value, "metrics"));
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
            return set(b -> b.meteredTopics = Set.copyOf(topics));
        }

        /**
         * @return the hub, with the configuration's settings under this builder's; it opens the
         *         configured history store unless {@link #history} gave one, and reports to
         *         MicroProfile Metrics or OpenTelemetry where the application has them unless
         *         {@link #metrics} said where
         * @throws IllegalArgumentException naming the key and value of an invalid setting
         * @throws HistoryStoreException if the configured history store cannot be reached
         */
        public Hub build() {
            SseKitConfig read = SseKitConfig.read(config == null ? Settings.current() : Settings.of(config));
            Builder effective = read.applyTo(new Builder());
            overrides.forEach(setting -> setting.accept(effective));
            MetricsBinding bound = effective.metrics != null ? effective.metrics : Metrics.forApplication();
            if (effective.history != null) {
                return new Hub(effective, effective.history, false, bound);
            }
            HistoryStore store = read.openStore();
            try {
                return new Hub(effective, store, true, bound);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
    }
}
