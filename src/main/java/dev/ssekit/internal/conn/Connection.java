package dev.ssekit.internal.conn;

import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.wire.RetryHint;
import dev.ssekit.internal.metrics.TopicMeter;
import dev.ssekit.internal.Checks;
import dev.ssekit.Conn.CloseReason;
import dev.ssekit.ConnectionClosedException;
import dev.ssekit.Event;
import dev.ssekit.EventDroppedException;
import dev.ssekit.OverflowPolicy;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The machinery behind one {@link dev.ssekit.Conn}: a bounded outbound queue drained by the
 * runtime's writer threads, one write in flight at a time, in order.
 *
 * <p>Why not write on the caller's thread: a JAX-RS sink write blocks while the client's socket
 * buffer is full, so a broadcast that wrote itself would wait for its slowest subscriber. Here a
 * broadcast only appends to queues; a full queue applies the overflow policy; a write that stalls
 * past the write timeout fails the connection (see {@link #sweep(long)}).
 *
 * <p>Why heartbeats: JAX-RS implementations notice that a client has gone only when a write to it
 * fails ({@code SseEventSink.isClosed()} and {@code onClose} are unreliable in Jersey and
 * RESTEasy), so an idle connection is written to at least once per heartbeat interval.
 */
public final class Connection {
    private static final Logger LOG = Logger.getLogger(Connection.class.getName());
    /** Events written per drain task before the writer yields its thread to other connections. */
    private static final int DRAIN_BATCH = 64;
    private static final OutboundSseEvent CONNECTED = EncodedEvent.of(Event.comment("connected"));
    private static final OutboundSseEvent HEARTBEAT = EncodedEvent.of(Event.comment("heartbeat"));

    private final SseEventSink sink;
    private final Sse sse;
    private final ConnSettings settings;
    private final ConnRuntime runtime;
    private final String remoteAddress;
    private final OutboundSseEvent heartbeat;
    private final long openedNanos;
    private volatile long deadlineNanos; // 0 for none; only ever moves earlier
    private static final java.time.Duration MAX_DEADLINE = java.time.Duration.ofDays(36_500);

    private final Object lock = new Object();
    // Guarded by lock.
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private OutboundSseEvent greeting;
    private List<OutboundSseEvent> replay;
    private int replayNext;
    private boolean replayPending;
    private boolean drainScheduled;
    private boolean started;
    private CloseReason closing;
    private boolean sinkClosed;
    private volatile boolean failed; // ended by fail(): nothing more is owed to the client

    private volatile long writeStartedNanos;
    private final Object writerLock = new Object();
    private Thread writer; // guarded by writerLock: the thread inside sink.send, if any
    private volatile long lastWriteNanos;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final CompletableFuture<CloseReason> done = new CompletableFuture<>();
    private final List<Consumer<CloseReason>> closeListeners = new CopyOnWriteArrayList<>();

    /** @param meter the topic the event was broadcast through, counted when written or dropped; or null */
    private record Item(OutboundSseEvent event, CompletableFuture<Void> receipt, TopicMeter meter) {
    }

    /**
     * Opens the connection and queues the {@code : connected} comment, so that the response headers
     * reach the client at once rather than with the first event.
     *
     * @param sink          the JAX-RS sink of the request
     * @param sse           the JAX-RS {@code Sse} that builds events for it
     * @param settings      heartbeat, queue and timeouts
     * @param runtime       the threads that drive it
     * @param remoteAddress the client's address for logs and events, or null
     * @param startNow      false to hold every write until {@link #start()}: Jersey commits the
     *                      response headers at the first write, so a connection that is about to
     *                      be subscribed waits until its subscription has set them
     */
    public Connection(SseEventSink sink, Sse sse, ConnSettings settings, ConnRuntime runtime,
                      String remoteAddress, boolean startNow) {
        this.sink = Checks.notNull(sink, "sink");
        this.sse = Checks.notNull(sse, "sse");
        this.settings = Checks.notNull(settings, "settings");
        this.runtime = Checks.notNull(runtime, "runtime");
        this.remoteAddress = remoteAddress;
        this.heartbeat = HEARTBEAT;
        this.openedNanos = System.nanoTime();
        this.deadlineNanos = settings.maxLifetime() == null ? 0
                : openedNanos + settings.maxLifetime().toNanos();
        this.lastWriteNanos = openedNanos;
        if (sink.isClosed()) {
            throw new IllegalArgumentException("sink is already closed");
        }
        runtime.add(this, settings.heartbeat(), settings.writeTimeout());
        synchronized (lock) {
            // Written first, even ahead of a replay, so the client sees headers at once.
            greeting = CONNECTED;
            started = startNow;
            scheduleDrainLocked();
        }
    }

    /** @return the JAX-RS sink of this connection */
    public SseEventSink sink() {
        return sink;
    }

    /** @return the JAX-RS {@code Sse} of this connection */
    public Sse sse() {
        return sse;
    }

    /** @return the settings this connection runs with */
    public ConnSettings settings() {
        return settings;
    }

    /** @return the client's address, or null when unknown */
    public String remoteAddress() {
        return remoteAddress;
    }

    /** @return events written to the client, heartbeats and comments excluded */
    public long delivered() {
        return delivered.get();
    }

    /** @return events dropped by the {@link OverflowPolicy#DROP_OLDEST} policy */
    public long dropped() {
        return dropped.get();
    }

    /** @return a stage completed with the reason once the connection has ended */
    public CompletionStage<CloseReason> done() {
        return done;
    }

    /** @return true once the connection no longer accepts events */
    public boolean isClosed() {
        synchronized (lock) {
            return closing != null;
        }
    }

    /** Runs {@code listener} once, when the connection ends; at once if it has ended. */
    public void onClose(Consumer<CloseReason> listener) {
        // Added, then checked, while finishClose completes, then iterates: either may see it first.
        AtomicBoolean fired = new AtomicBoolean();
        Consumer<CloseReason> once = reason -> {
            if (fired.compareAndSet(false, true)) {
                listener.accept(reason);
            }
        };
        closeListeners.add(once);
        if (done.isDone()) {
            fireClose(once, done.join());
        }
    }

    /**
     * Queues an event and returns a stage that completes when the sink has written it.
     *
     * @throws ConnectionClosedException if the connection has ended
     */
    public CompletionStage<Void> send(OutboundSseEvent event) {
        CompletableFuture<Void> receipt = new CompletableFuture<>();
        if (!enqueue(event, receipt, null)) {
            throw new ConnectionClosedException(closeReason());
        }
        start();
        return receipt;
    }

    /**
     * Queues a broadcast event, with no receipt: broadcasts never wait for one subscriber.
     *
     * @param meter the topic's counts, or null
     * @return false if the connection has ended or the overflow policy cut it
     */
    public boolean offer(OutboundSseEvent event, TopicMeter meter) {
        return enqueue(event, null, meter);
    }

    /** @return why the connection ended or is ending; {@link CloseReason#CLOSED} while open */
    public CloseReason closeReason() {
        synchronized (lock) {
            return closing == null ? CloseReason.CLOSED : closing;
        }
    }

    private boolean enqueue(OutboundSseEvent event, CompletableFuture<Void> receipt, TopicMeter meter) {
        Item evicted = null;
        boolean overflowed = false;
        synchronized (lock) {
            if (closing != null) {
                return false;
            }
            if (queue.size() >= settings.queueCapacity()) {
                if (settings.overflow() == OverflowPolicy.DROP_OLDEST) {
                    evicted = queue.poll();
                } else {
                    overflowed = true;
                }
            }
            if (!overflowed) {
                queue.add(new Item(event, receipt, meter));
                scheduleDrainLocked();
            }
        }
        if (evicted != null) {
            dropped.incrementAndGet();
            if (evicted.meter != null) {
                evicted.meter.dropped();
            }
            if (evicted.receipt != null) {
                evicted.receipt.completeExceptionally(new EventDroppedException());
            }
        }
        if (overflowed) {
            if (meter != null) {
                meter.dropped();
            }
            fail(CloseReason.SLOW_CONSUMER, null);
            if (receipt != null) {
                receipt.completeExceptionally(new ConnectionClosedException(CloseReason.SLOW_CONSUMER));
            }
            return false;
        }
        return true;
    }

    /**
     * Holds back queued events until {@link #startReplay(List)}: called, under the dispatcher's
     * publish lock, when the connection joins a topic with a {@code Last-Event-ID}, so that live
     * events published meanwhile wait in the queue behind the replay.
     *
     * @throws IllegalStateException if a replay is already pending
     */
    public void holdForReplay() {
        synchronized (lock) {
            if (replayPending || replay != null) {
                throw new IllegalStateException(
                        "connection is already replaying; subscribe to several topics in one call to replay them");
            }
            replayPending = true;
        }
    }

    /**
     * Writes {@code events} before anything queued, then the queue. The replayed events are bounded
     * by the store's retention, not by the queue capacity, which applies to live events only.
     */
    public void startReplay(List<OutboundSseEvent> events) {
        synchronized (lock) {
            replayPending = false;
            if (!sinkClosed && !events.isEmpty()) {
                // A store may read past the high-water mark (one whose bound expired meanwhile):
                // what the queue already holds live is not replayed as well.
                Set<String> queued = new HashSet<>();
                for (Item item : queue) {
                    if (item.event.getId() != null) {
                        queued.add(item.event.getId());
                    }
                }
                List<OutboundSseEvent> fresh = new ArrayList<>(events.size());
                for (OutboundSseEvent e : events) {
                    if (!queued.contains(e.getId())) {
                        fresh.add(e);
                    }
                }
                if (!fresh.isEmpty()) {
                    replay = fresh;
                    replayNext = 0;
                }
            }
            scheduleDrainLocked();
        }
    }

    /** @return true once writes may begin */
    public boolean isStarted() {
        synchronized (lock) {
            return started;
        }
    }

    /** Lets writes begin, starting with the {@code : connected} comment. Idempotent. */
    public void start() {
        synchronized (lock) {
            started = true;
            scheduleDrainLocked();
        }
    }

    private void scheduleDrainLocked() {
        if (!started || drainScheduled || sinkClosed || (replayPending && greeting == null)) {
            return;
        }
        drainScheduled = true;
        try {
            runtime.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The runtime has stopped (its hub closed): nothing can be written any more.
            drainScheduled = false;
        }
    }

    private Item nextLocked() {
        if (greeting != null) {
            OutboundSseEvent e = greeting;
            greeting = null;
            return new Item(e, null, null);
        }
        if (replayPending) {
            return null;
        }
        if (replay != null) {
            OutboundSseEvent e = replay.get(replayNext++);
            if (replayNext == replay.size()) {
                replay = null;
            }
            return new Item(e, null, null);
        }
        return queue.poll();
    }

    /** Writes up to a batch of events, one at a time, then yields the thread to other connections. */
    private void drain() {
        for (int written = 0; written < DRAIN_BATCH; written++) {
            Item item;
            boolean closeNow = false;
            synchronized (lock) {
                item = nextLocked();
                if (item == null) {
                    drainScheduled = false;
                    // A pending replay is written before a graceful close ends the stream.
                    if (closing == null || sinkClosed || replayPending) {
                        return;
                    }
                    closeSinkLocked(); // closing gracefully and everything is written
                    closeNow = true;
                }
            }
            if (closeNow) {
                finishClose();
                return;
            }
            CompletableFuture<?> result = write(item.event);
            if (!result.isDone()) {
                // An asynchronous sink (RESTEasy may answer later): continue when this write ends.
                result.whenComplete((ok, error) -> {
                    if (afterWrite(item, error)) {
                        execute(this::drain);
                    }
                });
                return;
            }
            if (!afterWrite(item, failure(result))) {
                return;
            }
        }
        execute(this::drain);
    }

    private CompletableFuture<?> write(OutboundSseEvent event) {
        writeStartedNanos = System.nanoTime();
        synchronized (writerLock) {
            writer = Thread.currentThread();
        }
        try {
            return sink.send(event).toCompletableFuture();
        } catch (RuntimeException e) {
            // Jersey throws IllegalStateException once the sink has closed.
            return CompletableFuture.failedFuture(e);
        } finally {
            synchronized (writerLock) {
                writer = null;
                Thread.interrupted(); // an interrupt from the write timeout was for this write only
            }
        }
    }

    /**
     * Interrupts a write blocked on this client, so that its thread returns now rather than at the
     * container's own write timeout (Grizzly's blocking write waits interruptibly). Under the lock
     * the writer clears its mark with, so no other connection's write is ever interrupted.
     */
    private void interruptWrite() {
        synchronized (writerLock) {
            if (writer != null) {
                writer.interrupt();
            }
        }
    }

    /** @return the failure of a completed stage, or null if it succeeded */
    private static Throwable failure(CompletableFuture<?> result) {
        if (!result.isCompletedExceptionally()) {
            return null;
        }
        try {
            result.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    /** @return true to keep draining */
    private boolean afterWrite(Item item, Throwable error) {
        OutboundSseEvent event = item.event;
        CompletableFuture<Void> receipt = item.receipt;
        long now = System.nanoTime();
        writeStartedNanos = 0;
        if (error != null) {
            if (receipt != null) {
                receipt.completeExceptionally(new ConnectionClosedException(CloseReason.CLIENT_GONE));
            }
            LOG.log(Level.FINE, "ssekit: write failed, client gone", error);
            fail(CloseReason.CLIENT_GONE, error);
            return false;
        }
        lastWriteNanos = now;
        if (event.getData() != null && !(event instanceof RetryHint)) {
            delivered.incrementAndGet();
        }
        if (item.meter != null) {
            item.meter.delivered();
        }
        if (receipt != null) {
            receipt.complete(null);
        }
        return true;
    }

    /**
     * Ends the connection gracefully: no new events are accepted, the queued ones are still written,
     * then the sink is closed. Idempotent.
     */
    public void close(CloseReason reason) {
        synchronized (lock) {
            if (closing != null) {
                return;
            }
            if (reason == CloseReason.HUB_CLOSED && settings.shutdownRetry() != null && !sinkClosed) {
                // After every queued event, whatever the capacity: the client's last word from this node.
                queue.add(new Item(new RetryHint(settings.shutdownRetry()), null, null));
            }
            closing = reason;
            started = true;
            if (drainScheduled || sinkClosed) {
                return; // the running drain closes the sink when the queue is empty
            }
            drainScheduled = true;
        }
        execute(this::drain);
    }

    /** Ends the connection at once: queued events are dropped and their stages failed. */
    public void fail(CloseReason reason, Throwable cause) {
        List<Item> abandoned;
        synchronized (lock) {
            if (sinkClosed) {
                return;
            }
            if (closing == null) {
                closing = reason;
            }
            abandoned = List.copyOf(queue);
            queue.clear();
            replay = null;
            closeSinkLocked();
            failed = true;
        }
        boolean slow = reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.WRITE_TIMEOUT;
        for (Item item : abandoned) {
            if (slow && item.meter != null) {
                item.meter.dropped();
            }
            if (item.receipt != null) {
                item.receipt.completeExceptionally(new ConnectionClosedException(reason));
            }
        }
        // A write still blocked on this client is pointless now: free its thread at once.
        interruptWrite();
        // sink.close() can block behind a stalled write in Jersey: never on the caller's thread.
        execute(this::finishClose);
    }

    private void execute(Runnable task) {
        try {
            runtime.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void closeSinkLocked() {
        sinkClosed = true;
    }

    private void finishClose() {
        // Closing writes the stream's end, which blocks like any write on a client that stopped
        // reading (until the container's own timeout: 30 s on Grizzly). A failed connection owes the
        // client nothing, so that write is interrupted before it can block: Grizzly then drops the
        // connection at once.
        boolean abrupt = failed;
        if (abrupt) {
            Thread.currentThread().interrupt();
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: closing the sink failed; the client is gone anyway", e);
        } finally {
            if (abrupt) {
                Thread.interrupted();
            }
        }
        runtime.remove(this);
        CloseReason reason = closeReason();
        if (done.complete(reason)) {
            for (Consumer<CloseReason> listener : closeListeners) {
                fireClose(listener, reason);
            }
        }
    }

    private void fireClose(Consumer<CloseReason> listener, CloseReason reason) {
        try {
            listener.accept(reason);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a close listener failed", e);
        }
    }

    /**
     * Ends the connection gracefully ({@link CloseReason#LIFETIME_EXPIRED}) once {@code delay} has
     * passed, unless an earlier deadline applies; the sweeper enforces it.
     */
    public void closeAfter(java.time.Duration delay) {
        // Beyond a century is no deadline at all (and would overflow nanoseconds at 292 years).
        if (delay.compareTo(MAX_DEADLINE) > 0) {
            return;
        }
        long deadline = System.nanoTime() + Math.max(0, delay.toNanos());
        synchronized (lock) {
            if (deadlineNanos == 0 || deadline - deadlineNanos < 0) {
                deadlineNanos = deadline;
            }
        }
    }

    /** Called by the runtime's sweeper: heartbeat, write timeout, maximum lifetime. */
    void sweep(long now) {
        if (failed) {
            // A container may swallow one interrupt and block again (Jersey writes what it still
            // holds for the client): keep interrupting until the write gives the thread back.
            interruptWrite();
            return;
        }
        long started = writeStartedNanos;
        if (started != 0 && now - started > settings.writeTimeout().toNanos()) {
            fail(CloseReason.WRITE_TIMEOUT, null);
            return;
        }
        if (now - openedNanos >= settings.heartbeat().toNanos() && !isStarted()) {
            // Opened and still not subscribed after a heartbeat interval (a resource that returned
            // early): written to from now on like any other, so that a client that left is noticed.
            start();
        }
        long deadline = deadlineNanos;
        if (deadline != 0 && now - deadline >= 0) {
            close(CloseReason.LIFETIME_EXPIRED);
            return;
        }
        // Jersey on Grizzly reports a vanished client only at the second or third write after it
        // left (the first one succeeds and draws the reset). An idle connection is therefore written
        // three times per heartbeat interval, so a gone client is removed within one interval.
        if (now - lastWriteNanos >= settings.heartbeat().toNanos() / 3 - runtime.sweepNanos()) {
            synchronized (lock) {
                if (closing != null || !queue.isEmpty() || replay != null || replayPending
                        || writeStartedNanos != 0) {
                    return;
                }
                queue.add(new Item(heartbeat, null, null));
                scheduleDrainLocked();
            }
        }
    }

    @Override
    public String toString() {
        return "Conn{" + (remoteAddress == null ? "?" : remoteAddress)
                + (isClosed() ? ", closed " + closeReason() : "") + "}";
    }
}
