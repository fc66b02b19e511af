package dev.ssekit.internal;

import dev.ssekit.MetricsBinding;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.ConnectionClosedException;
import dev.ssekit.Event;
import dev.ssekit.HubClosedException;
import dev.ssekit.SseKitException;
import dev.ssekit.SubscriberConnected;
import dev.ssekit.SubscriberDisconnected;
import dev.ssekit.HubStats;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.SubscriberListener;
import dev.ssekit.TopicMatcher;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.history.SharedHistoryStore;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes published events to the connections subscribed to their topics, in one order, and hands
 * reconnecting connections over from replay to live events with no gap and no duplicate.
 *
 * <h2>Why ssekit drives the sinks itself</h2>
 * No JAX-RS {@link SseBroadcaster} is involved. Its {@code onClose}/{@code onError} callbacks
 * report only failures of its own sends, and it has no way to unregister a sink: every sink ever
 * registered, and with it the container's request state (about 25 KB a connection on Jersey and
 * Grizzly, measured by {@code bench/}), stayed reachable until the registry closed. Gone clients are
 * found by failed writes and heartbeats, and closing the registry closes every connection. Nor are
 * events sent through one, because it cannot give the guarantees ssekit makes: Jersey's broadcaster
 * serialises the event once per sink and reports success before anything is written, RESTEasy's
 * sends to one sink after another so one slow client delays all, neither lets a broadcast skip a
 * connection that is replaying, and neither applies a per-subscriber overflow policy. So a publish appends to history and then puts the one
 * prepared {@link OutboundSseEvent} on each subscriber's bounded queue (see {@link Connection}).
 *
 * <h2>Several nodes</h2>
 * On a {@link SharedHistoryStore} a publish only appends; every node, the publishing one included,
 * fans out the events it follows from the store, in the store's order. The high-water mark is then
 * the newest event fanned out on this node, and the handoff below holds across nodes.
 *
 * <h2>The handoff</h2>
 * Appends and fan-out run under one publish lock, so every connection's queue receives events in
 * history order. A subscription with a {@code Last-Event-ID} joins its topics under that lock and
 * notes the id of the newest event appended so far (the high-water mark); the connection then holds
 * its queue. Outside the lock, history is read after the client's id up to the high-water mark, and
 * written first; the live events that queued up meanwhile are all newer than the mark, so none is
 * missed and none is sent twice.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    /** Decides, per subscriber, whether an event reaches it. */
    public interface EventFilter {
        /**
         * @param value the published value when the publisher gave one, else null
         * @param event the event as stored
         * @return true to deliver
         */
        boolean accepts(Object value, Event event);
    }

    private record Subscriber(Connection conn, EventFilter filter) {
    }

    /** What a subscription did: its topics, and where replay started. */
    public record Subscribed(Set<String> topics, String replayStartedAfter, int replayed) {
    }

    private final String name;
    // Bound to the Sse of the first connection: JAX-RS offers Sse only inside requests, and no
    // event needs building before someone subscribes.
    private volatile Sse sse;
    private final HistoryStore store;
    private final boolean ownsStore;
    private final ConnRuntime runtime;
    private final ConnSettings defaults;
    private static final java.time.Duration CATCH_UP_TIMEOUT = java.time.Duration.ofSeconds(10);
    private final ReentrantLock publishLock = new ReentrantLock();
    private final java.util.concurrent.locks.Condition followed = publishLock.newCondition();
    private final SharedHistoryStore.Follower follower;
    private final SubscriberListener listener;
    // Guarded by publishLock.
    private final Map<String, LinkedHashMap<Connection, Subscriber>> topics = new HashMap<>();
    private final Map<Connection, Set<String>> topicsByConn = new HashMap<>();
    // Matcher subscriptions (wildcards, patterns), kept apart from the exact-topic map so that exact
    // fan-out never looks at them; guarded by publishLock. One per connection.
    private final Map<Connection, TopicMatcher> matchers = new LinkedHashMap<>();
    private final List<Runnable> deferred = new ArrayList<>();
    private boolean dispatching;
    private String lastAppendedId;
    private boolean closed;

    private final Map<SseEventSink, Connection> bySink = new ConcurrentHashMap<>();
    private final AtomicLong published = new AtomicLong();
    private final Limits limits;
    private final MetricsBinding metrics;
    private final ConcurrentHashMap<String, TopicMeter> meters = new ConcurrentHashMap<>();
    private volatile TopicMeter otherTopics;

    /** Topics metered one by one; the others share one meter, so that metrics stay bounded. */
    static final int MAX_METERED_TOPICS = 1000;
    /** The topic tag of the meter the topics beyond {@link #MAX_METERED_TOPICS} share. */
    public static final String OTHER_TOPICS = "ssekit:other-topics";

    /**
     * @param name      names the registry in messages and thread names
     * @param store     the history
     * @param ownsStore whether closing the dispatcher closes the store
     * @param defaults  the settings of the connections it opens
     * @param listener  told of subscriptions and their ends, or null
     */
    public Dispatcher(String name, HistoryStore store, boolean ownsStore, ConnSettings defaults,
                      SubscriberListener listener) {
        this(name, store, ownsStore, defaults, Limits.DEFAULTS, listener, MetricsBinding.NONE);
    }

    /**
     * @param name      names the registry in messages and thread names
     * @param store     the history
     * @param ownsStore whether closing the dispatcher closes the store
     * @param defaults  the settings of the connections it opens
     * @param limits    event size, subscribers and topics accepted
     * @param listener  told of subscriptions and their ends, or null
     * @param metrics   where per-topic counts are reported
     */
    public Dispatcher(String name, HistoryStore store, boolean ownsStore, ConnSettings defaults, Limits limits,
                      SubscriberListener listener, MetricsBinding metrics) {
        this.name = name;
        this.listener = listener;
        this.limits = Checks.notNull(limits, "limits");
        this.metrics = Checks.notNull(metrics, "metrics");
        this.store = Checks.notNull(store, "history");
        this.ownsStore = ownsStore;
        this.defaults = Checks.notNull(defaults, "settings");
        if (store instanceof SharedHistoryStore shared) {
            // Events reach this node's subscribers through the follow, whichever node published them.
            publishLock.lock();
            try {
                this.follower = shared.follow(new SharedHistoryStore.AppendListener() {
                    @Override
                    public void appended(Set<String> topicSet, Event event, String position) {
                        dispatch(topicSet, event, position);
                    }

                    @Override
                    public void missedEvents() {
                        reconnectEveryone();
                    }
                });
                this.lastAppendedId = follower.startedAfter().orElse(null);
            } finally {
                publishLock.unlock();
            }
        } else {
            this.follower = null;
            this.lastAppendedId = call(store::latestId, "read the newest id of the history").orElse(null);
        }
        // Last: it starts a thread, which a failure above would otherwise leave behind.
        this.runtime = new ConnRuntime(name, ConnRuntime.defaultWriterThreads());
    }

    /** Fans out an event another node (or this one) stored, in the order the store delivers. */
    private void dispatch(Set<String> topicSet, Event stored, String position) {
        publishLock.lock();
        try {
            if (closed) {
                return;
            }
            fanOutLocked(topicSet, stored, null);
            // On a shared store the high-water mark is a position: read() takes it as a bound.
            lastAppendedId = position;
            followed.signalAll();
        } finally {
            publishLock.unlock();
        }
    }

    /**
     * Waits until this node has fanned out everything the shared store held when called. A client
     * reconnecting here may have seen, on another node, events this node has not followed yet: once
     * caught up, this node's high-water mark is at or past the client's last event, and the handoff
     * holds.
     */
    private void catchUpLocked(SharedHistoryStore shared, String latest) {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (lastAppendedId == null || shared.comparePositions(lastAppendedId, latest) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SseKitException("this node is behind the shared history by more than "
                        + CATCH_UP_TIMEOUT.toSeconds() + " s; retry, or check the connection to the store");
            }
            try {
                followed.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SseKitException("interrupted while catching up with the shared history", e);
            }
        }
    }

    /** The follow lost events: every client reconnects and gets them by replay. */
    private void reconnectEveryone() {
        LOG.warning("ssekit: events were missed while the shared store was away; "
                + "closing every stream so that clients catch up by replay");
        List<Connection> all;
        publishLock.lock();
        try {
            all = new ArrayList<>(topicsByConn.keySet());
        } finally {
            publishLock.unlock();
        }
        all.forEach(c -> c.close(CloseReason.ERROR));
    }

    private void bind(Sse candidate) {
        if (sse == null) {
            synchronized (this) {
                if (sse == null) {
                    sse = candidate;
                }
            }
        }
    }

    /** @return the history store */
    public HistoryStore store() {
        return store;
    }

    /** Opens a connection on this dispatcher's runtime. */
    public Connection open(SseEventSink sink, Sse sse, ConnSettings settings, String remoteAddress) {
        checkOpen();
        Connection c = new Connection(sink, sse, settings == null ? defaults : settings, runtime, remoteAddress,
                false);
        attach(c);
        return c;
    }

    /** Records a connection until it ends, so that closing the registry ends it too. */
    private void attach(Connection c) {
        SseEventSink sink = c.sink();
        if (bySink.putIfAbsent(sink, c) != null) {
            return;
        }
        c.onClose(reason -> bySink.remove(sink));
        bind(c.sse());
    }

    /** @return the settings of the connections this dispatcher opens */
    public ConnSettings defaults() {
        return defaults;
    }

    /**
     * Subscribes a connection to topics, replaying after {@code lastEventId} when it is not null.
     *
     * @param filters one filter per topic (null for none); filters apply to replay only with one topic
     * @throws HubClosedException if the dispatcher is closed
     * @throws ConnectionClosedException if the connection has ended
     */
    public Subscribed subscribe(Connection conn, Map<String, EventFilter> filters, String lastEventId) {
        return subscribe(conn, filters, null, lastEventId);
    }

    /**
     * Subscribes a connection to exact topics and, when {@code matcher} is not null, to the events
     * whose topics it accepts; replay covers the exact topics only.
     *
     * @throws IllegalStateException if the connection already has a matcher
     */
    public Subscribed subscribe(Connection conn, Map<String, EventFilter> filters, TopicMatcher matcher,
                                String lastEventId) {
        Checks.notNull(conn, "conn");
        if (filters.isEmpty() && matcher == null) {
            throw new IllegalArgumentException("topics must not be empty");
        }
        Set<String> topicSet = Set.copyOf(filters.keySet());
        checkTopicCount(topicSet);
        attach(conn);
        boolean replay = lastEventId != null;
        String highWater;
        String latestShared;
        boolean firstSubscription;
        try {
            latestShared = replay && store instanceof SharedHistoryStore shared
                    ? call(shared::latestPosition, "read the newest position of the shared history").orElse(null)
                    : null;
        } catch (RuntimeException e) {
            endUnstarted(conn, e);
            throw e;
        }
        publishLock.lock();
        try {
            checkOpen();
            if (latestShared != null) {
                catchUpLocked((SharedHistoryStore) store, latestShared);
            }
            if (conn.isClosed()) {
                throw new ConnectionClosedException(CloseReason.CLOSED);
            }
            Set<String> mine = topicsByConn.get(conn);
            boolean first = mine == null;
            firstSubscription = first;
            if (replay && !first && !mine.isEmpty()) {
                // Its live events and a replay would overlap: replay belongs to the first subscription.
                throw new IllegalStateException("a connection replays only at its first subscription; "
                        + "subscribe to all its topics in one call");
            }
            checkRoomLocked(conn, topicSet, first);
            if (matcher != null && matchers.containsKey(conn)) {
                throw new IllegalStateException("a connection has at most one topic matcher");
            }
            topicSet.forEach(this::meter); // so that a topic's subscriber gauge exists before its first event
            if (first) {
                mine = new HashSet<>();
                topicsByConn.put(conn, mine);
            }
            if (replay) {
                conn.holdForReplay();
            }
            for (Map.Entry<String, EventFilter> e : filters.entrySet()) {
                topics.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>())
                        .put(conn, new Subscriber(conn, e.getValue()));
                mine.add(e.getKey());
            }
            if (matcher != null) {
                matchers.put(conn, matcher);
            }
            highWater = lastAppendedId;
            if (first) {
                // After the topics are in place: if it has already ended, this removes them at once.
                Set<String> firstTopics = Set.copyOf(mine);
                conn.onClose(reason -> {
                    Set<String> last = unsubscribeAll(conn);
                    if (reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.WRITE_TIMEOUT) {
                        (last == null ? firstTopics : last).forEach(t -> meter(t).cut());
                    }
                    tell(l -> l.disconnected(new SubscriberDisconnected(last == null ? firstTopics : last,
                            Optional.ofNullable(conn.remoteAddress()), reason)));
                });
            }
            if (conn.done().toCompletableFuture().isDone()) {
                unsubscribeAll(conn);
                throw new ConnectionClosedException(CloseReason.CLIENT_GONE);
            }
        } catch (RuntimeException e) {
            endUnstarted(conn, e);
            throw e;
        } finally {
            publishLock.unlock();
        }
        if (firstSubscription) {
            tell(l -> l.connected(new SubscriberConnected(topicSet, Optional.ofNullable(conn.remoteAddress()))));
        }
        if (!replay) {
            ResponseHeaders.end();
            conn.start();
            return new Subscribed(topicSet, null, 0);
        }
        // Replay only once the subscription is in place; a failure to read history cuts the connection.
        try {
            Replay history = highWater == null || topicSet.isEmpty()
                    ? new Replay(List.of(), HistoryStore.EARLIEST.equals(lastEventId))
                    : call(() -> store.read(topicSet, lastEventId, highWater), "read history for " + topicSet);
            EventFilter only = topicSet.size() == 1 ? filters.values().iterator().next() : null;
            List<OutboundSseEvent> events = new ArrayList<>(history.events().size());
            for (Event e : history.events()) {
                if (accepts(only, null, e)) {
                    events.add(Connection.toOutbound(conn.sse(), e));
                }
            }
            String after = history.afterIdFound() ? lastEventId : HistoryStore.EARLIEST;
            // Before the first replayed write: that write may commit the response headers.
            ResponseHeaders.recordReplayStart(after);
            ResponseHeaders.end();
            conn.startReplay(events);
            conn.start();
            if (!events.isEmpty()) {
                meter(topicSet.iterator().next()).replayed(events.size());
            }
            return new Subscribed(topicSet, after, events.size());
        } catch (RuntimeException e) {
            // Never go live with a hole: a client that cannot be replayed to is cut, and retries.
            conn.start();
            conn.fail(CloseReason.ERROR, e);
            throw e;
        }
    }

    /**
     * Checks, without subscribing, that a connection could subscribe to {@code topicSet} now; lets
     * an endpoint answer 503 before it commits a stream. {@link #subscribe} checks again.
     *
     * @throws SubscriberLimitException if a subscriber limit is reached
     * @throws IllegalArgumentException if there are more topics than a subscription may name
     */
    public void checkRoom(Set<String> topicSet) {
        checkTopicCount(topicSet);
        if (limits.maxSubscribers() == 0 && limits.maxSubscribersPerTopic() == 0) {
            return;
        }
        publishLock.lock();
        try {
            checkRoomLocked(null, topicSet, true);
        } finally {
            publishLock.unlock();
        }
    }

    /** A topic and its private counterpart ({@link PrivateTopics}) count as one. */
    private void checkTopicCount(Set<String> topicSet) {
        int count = topicSet.size();
        for (String topic : topicSet) {
            if (PrivateTopics.isPrivate(topic) && topicSet.contains(PrivateTopics.publicName(topic))) {
                count--;
            }
        }
        if (count > limits.maxTopicsPerSubscription()) {
            throw new IllegalArgumentException("topics: a subscription may name at most "
                    + limits.maxTopicsPerSubscription() + " topics (maxTopicsPerSubscription), got " + count);
        }
    }

    private void checkRoomLocked(Connection conn, Set<String> topicSet, boolean newClient) {
        if (newClient && limits.maxSubscribers() > 0 && topicsByConn.size() >= limits.maxSubscribers()) {
            throw new SubscriberLimitException(null, limits.maxSubscribers());
        }
        if (limits.maxSubscribersPerTopic() > 0) {
            for (String topic : topicSet) {
                LinkedHashMap<Connection, Subscriber> subs = topics.get(topic);
                if (subs != null && subs.size() >= limits.maxSubscribersPerTopic()
                        && (conn == null || !subs.containsKey(conn))) {
                    throw new SubscriberLimitException(topic, limits.maxSubscribersPerTopic());
                }
            }
        }
    }

    /** A connection never written to would never be found gone by a heartbeat: a failed subscription ends it. */
    private static void endUnstarted(Connection conn, RuntimeException cause) {
        if (!conn.isStarted()) {
            conn.start();
            conn.fail(cause instanceof HubClosedException ? CloseReason.HUB_CLOSED : CloseReason.ERROR, cause);
        }
    }

    /** Removes a connection from one topic; the connection stays open. */
    public boolean unsubscribe(Connection conn, String topic) {
        publishLock.lock();
        try {
            if (dispatching) {
                deferred.add(() -> unsubscribe(conn, topic));
                return true;
            }
            LinkedHashMap<Connection, Subscriber> subs = topics.get(topic);
            boolean removed = subs != null && subs.remove(conn) != null;
            if (subs != null && subs.isEmpty()) {
                topics.remove(topic);
            }
            Set<String> mine = topicsByConn.get(conn);
            if (mine != null) {
                mine.remove(topic);
            }
            return removed;
        } finally {
            publishLock.unlock();
        }
    }

    /** @return the topics it was subscribed to, or null if it was not (or removal was deferred) */
    private Set<String> unsubscribeAll(Connection conn) {
        publishLock.lock();
        try {
            if (dispatching) {
                Set<String> mine = topicsByConn.get(conn);
                deferred.add(() -> unsubscribeAll(conn));
                return mine == null ? null : Set.copyOf(mine);
            }
            Set<String> mine = topicsByConn.remove(conn);
            matchers.remove(conn);
            if (mine != null) {
                for (String topic : mine) {
                    LinkedHashMap<Connection, Subscriber> subs = topics.get(topic);
                    if (subs != null) {
                        subs.remove(conn);
                        if (subs.isEmpty()) {
                            topics.remove(topic);
                        }
                    }
                }
            }
            return mine;
        } finally {
            publishLock.unlock();
        }
    }

    /** Removes a connection's matcher; its exact topics and the connection stay. */
    public void removeMatcher(Connection conn) {
        publishLock.lock();
        try {
            if (dispatching) {
                deferred.add(() -> removeMatcher(conn));
                return;
            }
            matchers.remove(conn);
        } finally {
            publishLock.unlock();
        }
    }

    private void tell(java.util.function.Consumer<SubscriberListener> call) {
        if (listener == null) {
            return;
        }
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a subscriber listener failed", e);
        }
    }

    /**
     * Stores an event and queues it to every matching subscriber of any of its topics, once each.
     *
     * @param value the value the event was encoded from, for filters; null when published as an event
     * @return the event as stored, with its id
     * @throws HubClosedException if the dispatcher is closed
     */
    public Event publish(Set<String> topicSet, Event event, Object value) {
        checkSize(event);
        long started = System.nanoTime();
        Event stored;
        publishLock.lock();
        try {
            checkOpen();
            stored = call(() -> store.append(topicSet, event), "append to history");
            if (follower == null) {
                fanOutLocked(topicSet, stored, value);
            }
            published.incrementAndGet();
        } finally {
            publishLock.unlock();
        }
        long took = System.nanoTime() - started;
        for (String topic : topicSet) {
            meter(topic).published(took);
        }
        return stored;
    }

    private void checkSize(Event event) {
        String data = event.data();
        int max = limits.maxEventSize();
        if (data.length() > max / 3) { // a UTF-16 char is at most 3 UTF-8 bytes: only then count them
            long bytes = utf8Length(data);
            if (bytes > max) {
                throw new IllegalArgumentException("data: the event is " + bytes + " bytes, over the limit of "
                        + max + " (maxEventSize)");
            }
        }
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** @return the counts of a topic, made on first use; past {@link #MAX_METERED_TOPICS}, the shared one */
    TopicMeter meter(String topic) {
        TopicMeter m = meters.get(topic);
        if (m != null) {
            return m;
        }
        if (meters.size() >= MAX_METERED_TOPICS) {
            TopicMeter other = otherTopics;
            if (other == null) {
                synchronized (meters) {
                    other = otherTopics;
                    if (other == null) {
                        other = new TopicMeter(bindSafely(OTHER_TOPICS));
                        otherTopics = other;
                    }
                }
            }
            return other;
        }
        return meters.computeIfAbsent(topic, t -> new TopicMeter(bindSafely(t)));
    }

    private MetricsBinding.TopicMetrics bindSafely(String topic) {
        try {
            return metrics.bind(topic, OTHER_TOPICS.equals(topic) ? () -> 0 : () -> subscribers(topic));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: metrics of topic " + Checks.quote(topic) + " could not be registered", e);
            return MetricsBinding.TopicMetrics.NONE;
        }
    }

    /** @return the counts of {@code topic} */
    public HubStats stats(String topic) {
        TopicMeter m = meters.get(topic);
        int subs = subscribers(topic);
        return m == null ? new HubStats(subs, 0, 0, 0, 0, 0)
                : new HubStats(subs, m.totalPublished(), m.totalDelivered(), m.totalDropped(), m.totalCut(), m.totalReplayed());
    }

    /** Queues a stored event to every matching subscriber, once each, and moves the high-water mark. */
    private void fanOutLocked(Set<String> topicSet, Event stored, Object value) {
        // The event is stored: from here nothing may throw, or the high-water mark would fall behind
        // history and a reconnecting client could skip this event.
        lastAppendedId = stored.id().orElseThrow();
        Sse bound = sse;
        // No Sse yet means no connection yet: the event is only stored.
        OutboundSseEvent out = bound == null ? null : Connection.toOutbound(bound, stored);
        dispatching = true;
        try {
            if (topicSet.size() == 1) {
                String topic = topicSet.iterator().next();
                fanOut(topics.get(topic), out, value, stored, null, meter(topic));
            } else {
                Set<Connection> reached = new HashSet<>();
                for (String topic : topicSet) {
                    fanOut(topics.get(topic), out, value, stored, reached, meter(topic));
                }
            }
            if (!matchers.isEmpty() && out != null) {
                fanOutToMatchers(topicSet, out, stored);
            }
        } finally {
            dispatching = false;
            runDeferred();
        }
    }

    private static void fanOut(LinkedHashMap<Connection, Subscriber> subs, OutboundSseEvent out, Object value,
                               Event stored, Set<Connection> reached, TopicMeter meter) {
        if (subs == null || out == null) {
            return;
        }
        for (Subscriber s : subs.values()) {
            if (reached != null && reached.contains(s.conn)) {
                continue;
            }
            if (accepts(s.filter, value, stored)) {
                s.conn.offer(out, meter);
                if (reached != null) {
                    reached.add(s.conn);
                }
            }
        }
    }

    /**
     * Offers an event to the matcher subscriptions of connections that none of its topics reached by
     * name: a connection subscribed to one of them got it (or was filtered) there, so it gets it once.
     */
    private void fanOutToMatchers(Set<String> topicSet, OutboundSseEvent out, Event stored) {
        Set<String> view = java.util.Collections.unmodifiableSet(topicSet);
        TopicMeter meter = meter(topicSet.iterator().next());
        for (Map.Entry<Connection, TopicMatcher> m : matchers.entrySet()) {
            Connection conn = m.getKey();
            boolean byName = false;
            for (String topic : topicSet) {
                LinkedHashMap<Connection, Subscriber> subs = topics.get(topic);
                if (subs != null && subs.containsKey(conn)) {
                    byName = true;
                    break;
                }
            }
            if (byName) {
                continue;
            }
            boolean matches;
            try {
                matches = m.getValue().matches(view);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ssekit: a topic matcher failed on event " + stored.id().orElse("?")
                        + "; that subscriber does not get the event", e);
                matches = false;
            }
            if (matches) {
                conn.offer(out, meter);
            }
        }
    }

    /** A filter that throws rejects the event for its subscriber only, and is logged. */
    private static boolean accepts(EventFilter filter, Object value, Event event) {
        if (filter == null) {
            return true;
        }
        try {
            return filter.accepts(value, event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a subscriber's filter failed on event " + event.id().orElse("?")
                    + "; that subscriber does not get the event", e);
            return false;
        }
    }

    private void runDeferred() {
        if (deferred.isEmpty()) {
            return;
        }
        List<Runnable> tasks = new ArrayList<>(deferred);
        deferred.clear();
        tasks.forEach(Runnable::run);
    }

    /** @return the connections subscribed to {@code topic} */
    public int subscribers(String topic) {
        publishLock.lock();
        try {
            LinkedHashMap<Connection, Subscriber> subs = topics.get(topic);
            return subs == null ? 0 : subs.size();
        } finally {
            publishLock.unlock();
        }
    }

    /** @return the connections subscribed to {@code topic} */
    public List<Connection> connections(String topic) {
        publishLock.lock();
        try {
            LinkedHashMap<Connection, Subscriber> subs = topics.get(topic);
            return subs == null ? List.of() : List.copyOf(subs.keySet());
        } finally {
            publishLock.unlock();
        }
    }

    /** @return the distinct connections subscribed to any topic */
    public int clients() {
        publishLock.lock();
        try {
            return topicsByConn.size();
        } finally {
            publishLock.unlock();
        }
    }

    /** @return how many events have been published */
    public long published() {
        return published.get();
    }

    /** @return true once closed */
    public boolean isClosed() {
        publishLock.lock();
        try {
            return closed;
        } finally {
            publishLock.unlock();
        }
    }

    /** @throws HubClosedException if closed */
    public void checkOpen() {
        if (closed) {
            throw new HubClosedException(name);
        }
    }

    /**
     * Closes every connection of {@code topic} gracefully (queued events are still written).
     *
     * @return stages that complete when those connections have ended
     */
    public List<CompletableFuture<CloseReason>> closeTopic(String topic) {
        List<CompletableFuture<CloseReason>> ends = new ArrayList<>();
        for (Connection c : connections(topic)) {
            c.close(CloseReason.HUB_CLOSED);
            ends.add(c.done().toCompletableFuture());
        }
        return ends;
    }

    /**
     * Closes every connection gracefully, waits for them (at most the write timeout plus a second),
     * cuts those that did not end, stops the threads and, if owned, the
     * store. Idempotent.
     */
    @Override
    public void close() {
        List<Connection> all;
        publishLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(topicsByConn.keySet());
        } finally {
            publishLock.unlock();
        }
        all.addAll(bySink.values());
        List<CompletableFuture<CloseReason>> ends = new ArrayList<>();
        if (follower != null) {
            follower.close();
        }
        for (Connection c : new HashSet<>(all)) {
            c.close(CloseReason.HUB_CLOSED);
            ends.add(c.done().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                    .get(defaults.writeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(Level.WARNING, "ssekit: some connections of " + name + " did not end in time; cutting them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c : new HashSet<>(all)) {
            c.fail(CloseReason.HUB_CLOSED, null); // no-op for those that ended
        }
        runtime.close();
        try {
            metrics.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: removing metrics failed", e);
        }
        if (ownsStore) {
            store.close();
        }
    }

    /** Calls the store, naming what failed in a {@link dev.ssekit.HistoryStoreException}. */
    private static <T> T call(java.util.function.Supplier<T> operation, String what) {
        try {
            return operation.get();
        } catch (IllegalArgumentException | SseKitException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new dev.ssekit.HistoryStoreException("history store failed to " + what + ": " + e.getMessage(), e);
        }
    }

    /** @return the newest id appended through this dispatcher, or the store's newest at start */
    public Optional<String> lastAppendedId() {
        publishLock.lock();
        try {
            return Optional.ofNullable(lastAppendedId);
        } finally {
            publishLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Dispatcher{" + name + ", clients=" + clients() + "}";
    }
}
