package dev.ssekit.internal.dispatch;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.ConnectionClosedException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.HubClosedException;
import dev.ssekit.SseKitException;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.TopicStats;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.history.SharedHistoryStore;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.Limits;
import dev.ssekit.internal.StopBudget;
import dev.ssekit.internal.conn.ConnRuntime;
import dev.ssekit.internal.conn.ConnSettings;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.conn.Drains;
import dev.ssekit.internal.conn.Outlets;
import dev.ssekit.internal.metrics.LagSample;
import dev.ssekit.internal.metrics.TopicMeter;
import dev.ssekit.internal.metrics.Traced;
import dev.ssekit.internal.metrics.Tracing;
import dev.ssekit.internal.tx.Transactions;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.internal.wire.ResponseHeaders;
import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.spi.SubscriberConnected;
import dev.ssekit.spi.SubscriberDisconnected;
import dev.ssekit.spi.SubscriberListener;
import dev.ssekit.spi.TopicMatcher;

import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One registry's engine: subscriptions ({@link Routes}), publishing with group commit
 * ({@link PublishPipeline}), fan-out in history order, the replay handoff, following a shared store
 * ({@link SharedFollow}), admission ({@link Admission}) and counts ({@link TopicMeters}).
 *
 * <h2>Why ssekit drives the sinks itself</h2>
 * No JAX-RS {@link SseBroadcaster} is involved. Its {@code onClose}/{@code onError} callbacks
 * report only failures of its own sends, and it has no way to unregister a sink: every sink ever
 * registered, and with it the container's request state (about 25 KB a connection on Jersey and
 * Grizzly, measured by {@code bench/}), stayed reachable until the registry closed. Nor are events
 * sent through one, because it cannot give the guarantees ssekit makes: Jersey's broadcaster
 * serialises the event once per sink and reports success before anything is written, RESTEasy's
 * sends to one sink after another so one slow client delays all, neither lets a broadcast skip a
 * connection that is replaying, and neither applies a per-subscriber overflow policy. So a publish
 * appends to history and then puts the one prepared {@link OutboundSseEvent} on each subscriber's
 * bounded queue (see {@link Connection}).
 *
 * <h2>Publishing</h2>
 * A publish is acknowledged once the store holds the event; the store is never called under a lock
 * that fan-out, subscribers or gauges wait for. Concurrent publishers share one store call (group
 * commit), and batches are fanned out one at a time, in id order (see {@link Routes} for why that
 * makes replay gap-free).
 *
 * <h2>Transactions</h2>
 * A publish made in the caller's JTA transaction is held until it commits, or written to the store's
 * outbox in it, and stored and fanned out after the commit ({@link TransactionalPublishing}): through
 * the same pipeline, so in id order with every other event.
 *
 * <h2>Several nodes</h2>
 * On a {@link SharedHistoryStore} a publish only appends; every node, the publishing one included,
 * fans out the events it follows from the store, in the store's order. The high-water mark is then
 * the newest position followed on this node, and the handoff holds across nodes. The publish returns
 * once this node's follow has handed its event on, as on a store of one node: publishers cannot run
 * ahead of the fan-out, so a stop has at most the publishes in flight left to fan out.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);
    /** Event data kept encoded for replays: a bound on the cache, not on history. */
    private static final long ENCODED_CACHE_CHARS = 32L * 1024 * 1024;
    /** Events a replay reads at a time: what one replaying connection holds of history. */
    static final int REPLAY_PAGE = 500;
    /** Threads that read replay pages after the first: store reads in flight for replays at once. */
    private static final int REPLAY_READERS = 4;
    /**
     * Subscriptions reading their replay's start (the store's count against the cap, and the first
     * page) at once; the others wait their turn. Without it a reconnect storm sent every subscribe
     * to the store at once: they held its connections, publishes waited behind them, and no replay
     * finished (bench run P).
     */
    private static final int REPLAY_STARTS = 4;

    /** What a subscription did: its topics, and where replay started. */
    public record Subscribed(Set<String> topics, String replayStartedAfter, int replayed) {
    }

    private final String name;
    private final HistoryStore store;
    private final boolean ownsStore;
    private final ConnSettings defaults;
    private final int maxReplayEvents;
    private final SubscriberListener listener;
    private final Routes routes;
    private final Admission admission;
    private final TopicMeters meters;
    private final Tracing tracing;
    private final EncodedEvents encoded = new EncodedEvents(ENCODED_CACHE_CHARS);
    private final PublishPipeline pipeline;
    private final SharedFollow follow;
    private final TransactionalPublishing transactional;
    private final ConnRuntime runtime;
    private final CutWarnings cutWarnings;
    private final ReconnectSpread reconnects;
    // Reads the pages after a replay's first, off the writer threads (a writer blocked on the store
    // would count as stalled on its client); a fixed few, so a reconnect storm queues its reads.
    private final java.util.concurrent.ExecutorService replayReads;
    // A read-back after a store call in doubt is queued or running (settleDoubtSoon): one at a time.
    private final java.util.concurrent.atomic.AtomicBoolean settling = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.Semaphore replayStarts = new java.util.concurrent.Semaphore(REPLAY_STARTS, true);
    /** How long a subscription waits for its turn to start a replay: the publish timeout. */
    private final Duration replayStartWait;
    /** How long a publish on a shared store waits for the follow to hand its event on: the publish timeout. */
    private final Duration handOnWait;
    private final Duration shutdownTimeout;
    // Connections opened here and not ended: closing the registry ends them, subscribed or not.
    private final Set<Connection> opened = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    // Every dispatcher of this class loader (one application, on a server) until its close ends:
    // what the health checks report on, whoever made the registry (injected, or the hub app's own).
    private static final Set<Dispatcher> RUNNING = ConcurrentHashMap.newKeySet();

    /**
     * @param name      names the registry in messages and thread names
     * @param store     the history
     * @param ownsStore whether closing the dispatcher closes the store
     * @param defaults  the settings of the connections it opens
     * @param limits    event size, subscribers and topics accepted
     * @param listener  told of subscriptions and their ends, or null
     * @param metrics   where per-topic counts are reported
     * @param meteredTopics the topics the metrics name one by one; null for the first 1,000
     * @param transactions the callers' JTA transactions, which publishes follow
     */
    public Dispatcher(String name, HistoryStore store, boolean ownsStore, ConnSettings defaults, Limits limits,
                      SubscriberListener listener, MetricsBinding metrics, Set<String> meteredTopics,
                      Transactions transactions) {
        this(name, store, ownsStore, defaults, limits, listener, metrics, meteredTopics, transactions,
                new ReconnectSpread(name, limits.reconnectWindow()));
    }

    /** As the public constructor, with the streams' ends spread by {@code reconnects} (tests step it). */
    Dispatcher(String name, HistoryStore store, boolean ownsStore, ConnSettings defaults, Limits limits,
               SubscriberListener listener, MetricsBinding metrics, Set<String> meteredTopics,
               Transactions transactions, ReconnectSpread reconnects) {
        this.name = name;
        this.reconnects = reconnects;
        this.listener = listener;
        this.store = Checks.notNull(store, "history");
        this.ownsStore = ownsStore;
        this.defaults = Checks.notNull(defaults, "settings");
        this.maxReplayEvents = limits.maxReplayEvents();
        this.routes = new Routes(null);
        this.admission = new Admission(limits, routes);
        // Spans go where ssekit's own OpenTelemetry binding reports: an application's binding brings no tracer.
        this.tracing = metrics instanceof Traced traced ? traced.tracing() : Tracing.NONE;
        this.meters = new TopicMeters(metrics, routes::subscribers, meteredTopics, store.getClass().getSimpleName(),
                new MetricsBinding.RegistryGauges() {
                    @Override
                    public long clients() {
                        return routes.clients();
                    }

                    @Override
                    public long queuedEvents() {
                        return Dispatcher.this.queuedEvents();
                    }

                    @Override
                    public long queuedBytes() {
                        return Dispatcher.this.queuedBytes();
                    }

                    // The runtime starts last in the constructor: a collection before it reads 0.
                    @Override
                    public long writerThreads() {
                        ConnRuntime r = runtime;
                        return r == null ? 0 : r.writerThreads();
                    }

                    @Override
                    public long stalledWriters() {
                        ConnRuntime r = runtime;
                        return r == null ? 0 : r.stalledWriters();
                    }
                }, routes::subscriptions);
        this.cutWarnings = new CutWarnings(name);
        this.shutdownTimeout = limits.shutdownTimeout();
        this.replayStartWait = limits.publishTimeout();
        this.handOnWait = limits.publishTimeout();
        if (store instanceof SharedHistoryStore shared) {
            // Events reach this node's subscribers through the follow, whichever node published them.
            // The accept times of this node's events are kept for their delivery lag only where a
            // binding reports it: with none, a publish notes nothing and the follow looks up nothing.
            boolean timesLag = metrics != MetricsBinding.NONE;
            this.follow = new SharedFollow(shared, routes, this::fanOut, this::reconnectEveryone, timesLag,
                    shutdownTimeout.dividedBy(SharedFollow.LEAD_SHARE_OF_SHUTDOWN), limits.publishTimeout());
            routes.startAt(follow.startedAfter(), null);
            this.pipeline = new PublishPipeline(name, store, limits.publishTimeout(), batch -> {
            }, null, meters::storeCall, timesLag ? follow::acceptedHere : null);
        } else {
            this.follow = null;
            String newest = call(store::latestId, "read the newest id of the history").orElse(null);
            routes.startAt(newest, newest); // a store of one node: positions are ids
            // Live delivery follows what the store holds: an event whose store call failed after it
            // was kept is read back and handed on before the next one (see PublishPipeline).
            this.pipeline = new PublishPipeline(name, store, limits.publishTimeout(), this::fanOut,
                    new PublishPipeline.Recovery(newest, position -> {
                        if (position != null) {
                            routes.advanceTo(position);
                        }
                        reconnectEveryone();
                    }, this::settleDoubtSoon), meters::storeCall, null);
        }
        this.transactional = new TransactionalPublishing(name, Checks.notNull(transactions, "transactions"), store,
                pipeline, (topics, took) -> topics.forEach(t -> meters.of(t).published(took)));
        // Last: it starts threads, which a failure above would otherwise leave behind.
        this.replayReads = java.util.concurrent.Executors.newFixedThreadPool(REPLAY_READERS, r -> {
            Thread t = new Thread(r, "ssekit-replay-" + name);
            t.setDaemon(true);
            return t;
        });
        this.runtime = new ConnRuntime(name, ConnRuntime.defaultWriterThreads(), limits.maxStalledWriters());
        runtime.onSweep(cutWarnings::flushIfDue);
        runtime.onSweep(() -> {
            if (pipeline.isInDoubt()) {
                settleDoubtSoon(); // the read-back failed: again at each sweep (about 1 s) until it answers
            }
        });
        RUNNING.add(this);
    }

    /**
     * After a store call whose outcome is in doubt: reads back what the store kept and hands it on,
     * on a replay reader's thread (a store read, as a replay is), so that a kept event reaches
     * subscribers at once rather than at the node's next publish. One at a time; a failed read is
     * tried again at the next sweep.
     */
    private void settleDoubtSoon() {
        java.util.concurrent.ExecutorService readers = replayReads;
        if (readers == null || closed || !settling.compareAndSet(false, true)) {
            return;
        }
        try {
            readers.execute(() -> {
                try {
                    pipeline.settleDoubt();
                } finally {
                    settling.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            settling.set(false); // closing: the stop follows what was handed on
        }
    }

    /** @return the dispatchers made and not yet fully closed in this class loader */
    public static List<Dispatcher> running() {
        return List.copyOf(RUNNING);
    }

    /** Queues acknowledged events to their subscribers, in order, counting each delivery to a queue. */
    private void fanOut(List<Published> batch) {
        // Drains the fan-out makes due are submitted together once it is done, outside the routes
        // lock, several connections to a writer task (Drains).
        Drains drains = new Drains();
        try {
            // Live events are encoded once each, at their first subscriber; the cache serves replays. The
            // shared frame carries the accept time, so the lag is measured at the write with nothing added.
            routes.deliver(batch, p -> EncodedEvent.of(p.event(), p.acceptedNanos()), new Routes.Fanned() {
                // Fan-out runs under the routes lock and reaches an event's subscribers on a topic one
                // after another: the topic's meter is looked up, and the event's queue records made,
                // once per run of them, not once per subscriber. Two records: the deliveries of the
                // lag sample measure their lag, the others are only counted.
                private String topic;
                private TopicMeter meter;
                private FramedEvent frame;
                private final LagSample sample = new LagSample();
                private Connection.Broadcast measured;
                private Connection.Broadcast unmeasured;

                @Override
                public void fanned(String t, Connection conn, FramedEvent out, int reach) {
                    if (!t.equals(topic)) {
                        topic = t;
                        meter = meters.of(t);
                        frame = null;
                    }
                    if (out != frame) {
                        frame = out;
                        measured = Connection.broadcast(out, meter);
                        unmeasured = null;
                        sample.start(reach);
                    }
                    if (sample.next()) {
                        conn.offer(measured, drains);
                    } else {
                        if (unmeasured == null) {
                            unmeasured = measured.withoutLag();
                        }
                        conn.offer(unmeasured, drains);
                    }
                }
            });
        } finally {
            drains.submit();
        }
    }

    /** @return the events queued on every connection now, replays excluded: read at collection time */
    private long queuedEvents() {
        long sum = 0;
        for (Connection c : opened) {
            sum += c.queued();
        }
        return sum;
    }

    /** @return the bytes queued on every connection now, replays excluded: read at collection time */
    private long queuedBytes() {
        long sum = 0;
        for (Connection c : opened) {
            sum += c.queuedBytes();
        }
        return sum;
    }

    /**
     * The follow lost events, or a failed store call cannot be placed: every client reconnects and
     * gets what it missed by replay. Each leaves its topics at once, so that no event past the gap
     * moves its {@code Last-Event-ID} beyond what it missed, and its stream ends within the reconnect
     * window ({@link ReconnectSpread}), not all in one instant.
     */
    private void reconnectEveryone() {
        List<Connection> all = routes.connections();
        for (Connection c : all) {
            routes.leaveAll(c);
        }
        reconnects.endAll(all, CloseReason.ERROR);
    }

    /**
     * @return empty while this dispatcher's threads run and make progress; otherwise what is stopped
     *         or stuck (see {@link ConnRuntime#problem})
     */
    public java.util.Optional<String> threadProblem() {
        return runtime.problem(System.nanoTime());
    }

    /** @return the history store */
    public HistoryStore store() {
        return store;
    }

    /** @return the settings of the connections this dispatcher opens */
    public ConnSettings defaults() {
        return defaults;
    }

    /** Opens a connection on this dispatcher's runtime. */
    public Connection open(SseEventSink sink, ConnSettings settings, String remoteAddress) {
        checkOpen();
        Connection c = new Connection(Outlets.forSink(sink, runtime), settings == null ? defaults : settings, runtime,
                remoteAddress, false);
        attach(c);
        return c;
    }

    /** Records a connection until it ends, so that closing the registry ends it too. */
    private void attach(Connection c) {
        if (opened.add(c)) {
            c.onClose(reason -> opened.remove(c));
        }
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
     * whose topics it accepts. Replay then reads every retained event after {@code lastEventId} and
     * keeps those the subscription selects live: on one of its exact topics, or accepted by the
     * matcher ({@link HistoryStore#readMatching}); the handoff is the same as for exact topics.
     *
     * @param filters one filter per exact topic; all null when there is a matcher
     * @throws IllegalStateException if the connection already has a matcher
     * @throws IllegalArgumentException if there is neither a topic nor a matcher, or a matcher and a filter
     */
    public Subscribed subscribe(Connection conn, Map<String, EventFilter> filters, TopicMatcher matcher,
                                String lastEventId) {
        Checks.notNull(conn, "conn");
        if (filters.isEmpty() && matcher == null) {
            throw new IllegalArgumentException("topics must not be empty");
        }
        if (matcher != null && filters.values().stream().anyMatch(java.util.Objects::nonNull)) {
            // Replay by matcher does not apply per-topic filters; no public API combines the two.
            throw new IllegalArgumentException("filters: a subscription with a topic matcher takes no filters");
        }
        Set<String> topicSet = Set.copyOf(filters.keySet());
        admission.checkTopicCount(topicSet);
        attach(conn);
        boolean replay = lastEventId != null;
        Routes.Joined joined;
        try {
            checkOpen();
            if (replay && follow != null) {
                follow.catchUp(CATCH_UP_TIMEOUT);
            }
            if (conn.isClosed()) {
                throw new ConnectionClosedException(CloseReason.CLOSED);
            }
            joined = routes.join(conn, filters, matcher, replay, (first, topics) -> {
                Set<String> mine = routes.topicsOf(conn);
                admission.checkRoom(first, topics, t -> mine != null && mine.contains(t));
                return true;
            });
            topicSet.forEach(meters::of); // so that a topic's subscriber gauge exists before its first event
            if (joined.first()) {
                // After the topics are in place: if it has already ended, this removes them at once.
                conn.onClose(reason -> ended(conn, topicSet, reason));
            }
            if (conn.done().toCompletableFuture().isDone()) {
                routes.leaveAll(conn);
                throw new ConnectionClosedException(CloseReason.CLIENT_GONE);
            }
        } catch (RuntimeException e) {
            endUnstarted(conn, e);
            throw e;
        }
        if (joined.first()) {
            tell(l -> l.connected(new SubscriberConnected(topicSet, Optional.ofNullable(conn.remoteAddress()))));
        }
        if (!replay) {
            ResponseHeaders.end();
            conn.start();
            return new Subscribed(topicSet, null, 0);
        }
        if (tracing == Tracing.NONE) {
            return replay(conn, filters, topicSet, matcher, lastEventId, joined);
        }
        long started = System.nanoTime();
        Subscribed done;
        try {
            done = replay(conn, filters, topicSet, matcher, lastEventId, joined);
        } catch (RuntimeException e) {
            tracing.replay(topicSet, lastEventId, started, System.nanoTime(), 0, null, e);
            throw e;
        }
        tracing.replay(topicSet, lastEventId, started, System.nanoTime(), done.replayed(), done.replayStartedAfter(),
                null);
        return done;
    }

    /**
     * Writes history after the client's id up to the high-water mark, then what queued live meanwhile.
     *
     * <h2>Pages and the cap</h2>
     * History is read a page at a time ({@link #REPLAY_PAGE} events, {@link HistoryStore#readPage}):
     * the first page before the response starts, each next one once the connection has written the
     * one before ({@link Connection.ReplayPages}), so a replay holds one page however long the
     * history, and live events wait in the connection's queue behind the whole replay.
     *
     * <p>A replay looks at most at {@link Limits#maxReplayEvents()} events. Before it reads any, the
     * store counts the range up to one more than the cap ({@link HistoryStore#count}, one query): the
     * events on the subscription's topics, or, with a matcher, every event of the range, whatever its
     * topics, since the store cannot ask the matcher without reading the event. (Counting what the
     * matcher or a filter keeps would make a replay read unbounded history to find few events; and
     * reading pages to count them made a replay start of a {@code *} subscription on 100,000 events
     * read 21 pages to replay nothing, bench run P.) So a client that missed more than the cap is
     * known before anything is read, and gets none of those events: its stream carries what is
     * published from the moment it subscribed, and where replay started
     * ({@code Mercure-Last-Event-ID}, {@link dev.ssekit.Subscription#replayStartedAfter()}) is the id of the newest event at that moment, not the id it asked for: what the Mercure
     * protocol names the data-loss signal ("the identifier of the event preceding the first event
     * sent"; a value other than the requested one "indicates that loss may have occurred"). Not
     * {@code earliest}: that says nothing precedes the first event sent, and a client that asked for
     * {@code earliest} could not tell a full history from none.
     */
    private Subscribed replay(Connection conn, Map<String, EventFilter> filters, Set<String> topicSet,
                              TopicMatcher matcher, String lastEventId, Routes.Joined joined) {
        String highWater = joined.highWater();
        // Replay only once the subscription is in place; a failure to read history cuts the connection.
        try {
            EventFilter only = topicSet.size() == 1 ? filters.values().iterator().next() : null;
            String after;
            int replayed;
            if (highWater == null || (topicSet.isEmpty() && matcher == null)) {
                after = HistoryStore.EARLIEST; // nothing to replay, and no event the client's id is known to be
                ResponseHeaders.recordReplayStart(after);
                ResponseHeaders.end();
                conn.startReplay(List.of());
                replayed = 0;
            } else {
                Pager pager = new Pager(topicSet, matcher, only, highWater);
                Page first = null;
                int inRange;
                awaitReplayStart();
                try {
                    inRange = count(topicSet, matcher, lastEventId, highWater);
                    if (inRange <= maxReplayEvents) {
                        first = pager.read(lastEventId, REPLAY_PAGE, true, true);
                        if (!first.found() && !HistoryStore.EARLIEST.equals(lastEventId)) {
                            // The id was gone when the page was read: the replay is the whole retained range.
                            inRange = count(topicSet, matcher, HistoryStore.EARLIEST, highWater);
                        }
                    }
                } finally {
                    replayStarts.release();
                }
                boolean over = inRange > maxReplayEvents;
                after = over ? skippedTo(joined) : first.found() ? lastEventId : HistoryStore.EARLIEST;
                // Before the first replayed write: that write may commit the response headers.
                ResponseHeaders.recordReplayStart(after);
                ResponseHeaders.end();
                if (over) {
                    conn.startReplay(List.of());
                    replayed = 0;
                } else {
                    conn.startReplay(first.events(), first.full() ? pager.pagesAfter(first.lastRead(), REPLAY_PAGE) : null);
                    // Exact for a replay of one page, and for one that writes every event of its range;
                    // for a matcher or a filter choosing among more than a page, the events of the range.
                    replayed = first.full() ? inRange : first.count();
                }
            }
            conn.start();
            if (replayed > 0 && !topicSet.isEmpty()) {
                // Counted under the first exact topic; a matcher alone names no topic to count under.
                meters.of(topicSet.iterator().next()).replayed(replayed);
            }
            return new Subscribed(topicSet, after, replayed);
        } catch (RuntimeException e) {
            // Never go live with a hole: a client that cannot be replayed to is cut, and retries.
            conn.start();
            conn.fail(CloseReason.ERROR, e);
            throw e;
        }
    }

    /**
     * @return how many events the store must look at to replay this subscription, up to one more
     *         than the cap: on its topics, or every event of the range when a matcher chooses (the
     *         store cannot ask the matcher without reading the event). One call the store answers
     *         itself ({@link HistoryStore#count}), before any event is read.
     */
    private int count(Set<String> topicSet, TopicMatcher matcher, String afterId, String highWater) {
        long started = System.nanoTime();
        try {
            int limit = maxReplayEvents == Integer.MAX_VALUE ? maxReplayEvents : maxReplayEvents + 1; // no cap: count all
            return call(() -> store.count(matcher != null ? Set.of() : topicSet, afterId, highWater, limit),
                    "count the history to replay");
        } finally {
            meters.storeCall("count", System.nanoTime() - started);
        }
    }

    /** Waits for a turn to read a replay's start, at most {@link #replayStartWait}. */
    private void awaitReplayStart() {
        boolean turn;
        try {
            turn = replayStarts.tryAcquire(replayStartWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HistoryStoreException("interrupted while waiting to read history for a replay", e);
        }
        if (!turn) {
            throw new HistoryStoreException(name + ": " + REPLAY_STARTS + " replays were reading history for over "
                    + replayStartWait.toMillis() + " ms (the publish timeout) and this one's turn did not come; "
                    + "the client reconnects", null);
        }
    }

    /** @return the id of the newest event when the subscription joined: where a replay past the cap starts */
    private String skippedTo(Routes.Joined joined) {
        if (joined.highWaterId() != null) {
            return joined.highWaterId();
        }
        // A shared store before this node fanned anything out: its newest now, at or just past the mark
        // (events after the mark reach the connection live, so the client still sees no gap after it).
        return call(store::latestId, "read the newest id of the history").orElse(HistoryStore.EARLIEST);
    }

    /**
     * One page of a replay.
     *
     * @param events   the events to write, or null for a page only counted
     * @param count    how many of the page's events the subscription takes
     * @param read     how many events the store returned, filtered or not
     * @param lastRead the id of the page's last event as read, filtered or not: where the next page starts
     * @param full     whether the store returned a whole page, so that more may follow
     * @param found    whether the id read after was found (see {@link Replay#afterIdFound()})
     */
    private record Page(List<FramedEvent> events, int count, int read, String lastRead, boolean full, boolean found) {
    }

    /** Reads the pages of one replay: its topics or matcher, its filter, up to its high-water mark. */
    private final class Pager {
        private final Set<String> topics;
        private final TopicMatcher matcher;
        private final EventFilter only;
        private final String highWater;

        Pager(Set<String> topics, TopicMatcher matcher, EventFilter only, String highWater) {
            this.topics = topics;
            this.matcher = matcher;
            this.only = only;
            this.highWater = highWater;
        }

        /**
         * @param keep  whether to encode and keep the events (false: count them only)
         * @param first whether this is the first page: a later one whose start is gone means history
         *              was dropped during the replay
         */
        Page read(String afterId, int size, boolean keep, boolean first) {
            long started = System.nanoTime();
            Replay history;
            try {
                history = matcher != null ? readMatching(topics, matcher, afterId, highWater, size)
                        : call(() -> store.readPage(topics, afterId, highWater, size), "read history for " + topics);
            } finally {
                meters.storeCall("read", System.nanoTime() - started);
            }
            if (!first && !history.afterIdFound()) {
                throw new HistoryStoreException("history after " + afterId + " was dropped while it was replayed; "
                        + "the client reconnects from the last event it got", null);
            }
            List<Event> read = history.events();
            List<FramedEvent> events = keep ? new ArrayList<>(read.size()) : null;
            int count = 0;
            for (Event e : read) {
                if (Routes.accepts(only, null, e)) {
                    count++;
                    if (keep) {
                        events.add(encoded.of(e));
                    }
                }
            }
            String last = read.isEmpty() ? afterId : read.get(read.size() - 1).id().orElseThrow();
            return new Page(events, count, read.size(), last, read.size() >= size, history.afterIdFound());
        }

        /** @return the pages after {@code afterId}, each read when the connection asks for it */
        Connection.ReplayPages pagesAfter(String afterId, int size) {
            String[] from = {afterId};
            boolean[] more = {true};
            return () -> {
                if (!more[0]) {
                    return CompletableFuture.completedFuture(List.of());
                }
                return CompletableFuture.supplyAsync(() -> {
                    Page p;
                    do { // a page the filter took nothing of is not the end while more follow
                        p = read(from[0], size, true, false);
                        from[0] = p.lastRead();
                        more[0] = p.full();
                    } while (p.events().isEmpty() && p.full());
                    return p.events();
                }, replayReads);
            };
        }
    }

    /**
     * Reads the history a matcher subscription selects: what live fan-out would have given it, an
     * event on one of its exact topics or one the matcher accepts (asked as in fan-out, a throwing
     * matcher rejecting the event only).
     */
    private Replay readMatching(Set<String> exact, TopicMatcher matcher, String lastEventId, String highWater,
                                int size) {
        TopicMatcher selects = topics -> {
            if (!java.util.Collections.disjoint(exact, topics)) {
                return true;
            }
            try {
                return matcher.matches(topics);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ssekit: a topic matcher failed on a replayed event; that subscriber does "
                        + "not get the event", e);
                return false;
            }
        };
        return call(() -> store.readMatchingPage(selects, lastEventId, highWater, size),
                "read history by topic matcher");
    }

    private void ended(Connection conn, Set<String> firstTopics, CloseReason reason) {
        Set<String> last = routes.leaveAll(conn);
        Set<String> topics = last == null ? firstTopics : last;
        if (reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.WRITE_TIMEOUT) {
            topics.forEach(t -> meters.of(t).cut(reason));
            cutWarnings.cut(topics, reason, conn.cutBy() == null ? "cut" : conn.cutBy());
        }
        tell(l -> l.disconnected(new SubscriberDisconnected(topics, Optional.ofNullable(conn.remoteAddress()),
                reason)));
    }

    /**
     * Checks, without subscribing, that a connection could subscribe to {@code topicSet} now; lets
     * an endpoint answer 503 before it commits a stream. {@link #subscribe} checks again.
     *
     * @throws SubscriberLimitException if a subscriber limit is reached
     * @throws IllegalArgumentException if there are more topics than a subscription may name
     */
    public void checkRoom(Set<String> topicSet) {
        admission.checkTopicCount(topicSet);
        if (!admission.unlimited()) {
            admission.checkRoom(true, topicSet, t -> false);
        }
    }

    /** A connection never written to would never be found gone by a heartbeat: a failed subscription ends it. */
    private static void endUnstarted(Connection conn, RuntimeException cause) {
        if (!conn.isStarted()) {
            conn.start();
            conn.fail(cause instanceof HubClosedException ? CloseReason.HUB_CLOSED : CloseReason.ERROR, cause);
        }
    }

    /** Removes a connection's matcher; its exact topics and the connection stay. */
    public void removeMatcher(Connection conn) {
        routes.leaveMatcher(conn);
    }

    /** Removes a connection from one topic; the connection stays open. */
    public boolean unsubscribe(Connection conn, String topic) {
        return routes.leave(conn, topic);
    }

    private void tell(Consumer<SubscriberListener> call) {
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
     * Returns once the store holds it and it is queued; on a shared store, once stored while this
     * node's follow is close behind, else once the follow has handed it on, or at the end of the
     * publish timeout (counted from the call) if the follow is that far behind or stopped, the
     * event being stored ({@link SharedFollow#awaitHandedOn}).
     *
     * @param value the value the event was encoded from, for filters; null when published as an event
     * @return the event as stored, with its id
     * @throws HubClosedException    if the dispatcher is closed
     * @throws HistoryStoreException if the store failed: the event was not acknowledged
     */
    public Event publish(Set<String> topicSet, Event event, Object value) {
        checkNotInFanOut();
        return publishNow(topicSet, event, value);
    }

    private Event publishNow(Set<String> topicSet, Event event, Object value) {
        admission.checkSize(event);
        long started = System.nanoTime();
        Event stored = pipeline.publish(topicSet, event, value, tracing.publish(topicSet));
        if (follow != null && !follow.awaitHandedOn(stored.id().orElseThrow(), started + handOnWait.toNanos())) {
            LOG.fine(() -> "ssekit: " + name + " acknowledges " + stored.id().orElseThrow() + ", stored, before its "
                    + "follow handed it on (the follow is behind or stopped)");
        }
        long took = System.nanoTime() - started;
        for (String topic : topicSet) {
            meters.of(topic).published(took);
        }
        return stored;
    }

    /** What a publish returned: the event's id, and a stage that completes once it is stored. */
    public record Accepted(String id, CompletionStage<String> stored) {
    }

    /**
     * Publishes at once, or, when {@code followTransaction} and the calling thread runs in a JTA
     * transaction, after that transaction commits (see {@link TransactionalPublishing}).
     *
     * @return the event's id (given at the call inside a transaction) and a stage that completes once
     *         the event is stored: already complete for an immediate publish
     * @throws HubClosedException    if the dispatcher is closed
     * @throws HistoryStoreException if an immediate publish, or an outbox write, failed
     */
    public Accepted publish(Set<String> topicSet, Event event, Object value, boolean followTransaction) {
        checkNotInFanOut();
        Transactions.Tx tx = followTransaction ? transactional.current() : null;
        if (tx == null) {
            String id = publishNow(topicSet, event, value).id().orElseThrow();
            return new Accepted(id, CompletableFuture.completedFuture(id));
        }
        admission.checkSize(event);
        checkOpen();
        TransactionalPublishing.Accepted held = transactional.hold(tx, topicSet, event, value);
        return new Accepted(held.id(), held.stored());
    }

    /**
     * Refuses a publish from a subscriber's {@link EventFilter} or {@link TopicMatcher}: they run
     * under the fan-out lock, and on a store of one node inside the hand-on stage of the publish that
     * is being fanned out. A publish from there would wait for its own event to be handed on after
     * that one, while the thread that stores the next batch waits for the hand-on stage: a deadlock
     * (and, with nobody else storing, an event handed on out of id order). Running user code outside
     * the lock is not simpler: the lock is what makes the replay handoff gap-free (the high-water mark
     * and the queue appends move together), and the filters would still run inside the ordered
     * hand-on stage. So a re-entrant publish fails at once, saying why.
     *
     * @throws IllegalStateException if the calling thread runs a filter or matcher under the lock
     */
    private void checkNotInFanOut() {
        if (routes.heldByCurrentThread()) {
            throw new IllegalStateException("publish from inside a subscriber's filter or topic matcher: they "
                    + "run while events are handed on to subscribers, which a publish from there would wait for "
                    + "(a deadlock); publish from another thread instead");
        }
    }

    /** @return the counts of {@code topic} */
    public TopicStats stats(String topic) {
        return meters.stats(topic);
    }

    /** @return the connections subscribed to {@code topic}; never waits for a publish */
    public int subscribers(String topic) {
        return routes.subscribers(topic);
    }

    /** @return the distinct connections subscribed to any topic; never waits for a publish */
    public int clients() {
        return routes.clients();
    }

    /** @return true once closed */
    public boolean isClosed() {
        return closed;
    }

    /** @throws HubClosedException if closed */
    public void checkOpen() {
        if (closed) {
            throw new HubClosedException(name);
        }
    }

    /**
     * Stops gracefully within the shutdown timeout, or within the application's stop that this
     * close is part of ({@link StopBudget#currentOrStartingNow}): refuses new publishes and
     * subscriptions at once; lets the publishes already accepted finish and catches up with a shared
     * store, so that every acknowledged event is fanned out (up to 40 % of the timeout); ends every
     * connection after its queued events with the retry hint and cuts those that did not take it
     * (until 70 %, and at most the write timeout plus a second); stops the threads and, if owned,
     * closes the store (until 85 %). A publish still waiting for the store after that fails on its
     * own deadline or with the process: it was never acknowledged. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Within an application's stop (a container closing its registries and connections one
        // after another), that stop's budget: the phases end when its do, whatever ran before.
        StopBudget budget = StopBudget.currentOrStartingNow(shutdownTimeout);
        StopLog phases = new StopLog(name, budget);
        transactional.close(); // before the pipeline: what committed is still published
        if (!pipeline.close(budget.millisLeft(StopBudget.PUBLISHES))) {
            LOG.warning("ssekit: publishes to " + name + " still waiting for the store at close; they fail on their "
                    + "own deadline, unacknowledged");
        }
        phases.ended("publishes settled");
        if (follow != null) {
            String from = routes.highWater();
            String[] end = {"not reached"};
            // Asks the store for its newest position: a store call, bounded here by the phase.
            budget.runWithin(StopBudget.PUBLISHES, "following " + name + "'s shared history to its end", LOG, () -> {
                try {
                    String latest = follow.catchUp(budget.left(StopBudget.PUBLISHES));
                    end[0] = latest == null ? "none: the store is empty" : latest;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "ssekit: " + name + " closes before following every event: "
                            + e.getMessage() + " (followed up to " + routes.highWater() + ")");
                }
            });
            // Where the follow stood when the stop began, and how far it got: how far behind it was.
            phases.ended("shared history followed from " + from + " to " + routes.highWater() + " (its end "
                    + end[0] + ")");
            budget.runWithin(StopBudget.PUBLISHES, "stopping " + name + "'s follow", LOG, follow::close);
            phases.ended("follow stopped");
        }
        Set<Connection> all = new HashSet<>(routes.connections());
        all.addAll(opened);
        List<CompletableFuture<CloseReason>> ends = new ArrayList<>();
        for (Connection c : all) {
            c.close(CloseReason.HUB_CLOSED);
            ends.add(c.done().toCompletableFuture());
        }
        int cut = 0;
        try {
            long wait = Math.min(defaults.writeTimeout().toMillis() + 1000, budget.millisLeft(StopBudget.STREAMS));
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(wait, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(Level.WARNING, "ssekit: some connections of " + name + " did not take their last events in "
                    + "time; cutting them");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CompletableFuture<CloseReason> end : ends) {
            cut += end.isDone() ? 0 : 1;
        }
        for (Connection c : all) {
            c.fail(CloseReason.HUB_CLOSED, null); // no-op for those that ended
        }
        phases.ended(all.size() + " stream(s) ended with the retry hint" + (cut == 0 ? "" : ", " + cut + " cut"));
        reconnects.close();
        runtime.close(budget.millisLeft(StopBudget.THREADS));
        replayReads.shutdownNow();
        cutWarnings.flushIfDue();
        meters.close();
        if (ownsStore) {
            budget.runWithin(StopBudget.THREADS, "closing " + name + "'s history store", LOG, store::close);
        }
        phases.ended("threads stopped" + (ownsStore ? ", store closed" : ""));
        phases.log(LOG);
        RUNNING.remove(this);
    }

    /** Calls the store, naming what failed in a {@link HistoryStoreException}. */
    private static <T> T call(Supplier<T> operation, String what) {
        try {
            return operation.get();
        } catch (IllegalArgumentException | SseKitException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HistoryStoreException("history store failed to " + what + ": " + e.getMessage(), e);
        }
    }

    /** @return the newest position fanned out here, or the store's newest at start */
    public Optional<String> lastAppendedId() {
        return Optional.ofNullable(routes.highWater());
    }

    @Override
    public String toString() {
        return "Dispatcher{" + name + ", clients=" + clients() + "}";
    }
}
