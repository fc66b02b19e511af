package dev.ssekit.internal.conn;

import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.wire.FrameBatch;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.internal.wire.RetryHint;
import dev.ssekit.internal.metrics.TopicMeter;
import dev.ssekit.internal.Checks;
import dev.ssekit.Conn.CloseReason;
import dev.ssekit.ConnectionClosedException;
import dev.ssekit.Event;
import dev.ssekit.EventDroppedException;
import dev.ssekit.OverflowPolicy;

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
 * runtime's writer threads into the connection's {@link Outlet}, one write in flight at a time, in
 * order. Whatever is queued when the client can take more goes out in one write and one flush
 * (a {@link FrameBatch}), up to {@link #MAX_BATCH_BYTES}.
 *
 * <p>Why not write on the caller's thread: a JAX-RS sink write blocks while the client's socket
 * buffer is full, so a broadcast that wrote itself would wait for its slowest subscriber. Here a
 * broadcast only appends to queues. What one client can make the node hold is bounded by its
 * settings: the queue's capacity in events and in bytes (the first event past either applies the
 * overflow policy), the age of the oldest queued event (a client that reads, but too slowly to
 * catch up, is cut when an event has waited longer than the queue delay), and a write that stalls
 * past the write timeout (see {@link #sweep(long)}).
 *
 * <p>Why heartbeats: JAX-RS implementations notice that a client has gone only when a write to it
 * fails ({@code SseEventSink.isClosed()} and {@code onClose} are unreliable in Jersey and
 * RESTEasy), so an idle connection is written to at least once per heartbeat interval.
 */
public final class Connection {
    private static final Logger LOG = Logger.getLogger(Connection.class.getName());
    /** Writes per drain task before the writer yields its thread to other connections. */
    private static final int DRAIN_WRITES = 4;
    /**
     * The most one write joins: a batch is copied per connection, so this bounds the copy a client
     * holds while its write is in flight. A single larger event is written alone.
     */
    static final int MAX_BATCH_BYTES = 64 * 1024;
    /** A batch's list is sized for at most this many items up front (small frames: it grows past it). */
    private static final int MAX_BATCH_ITEMS = 1024;
    /** Queues that grew past this many events are made anew once empty, giving their array back. */
    private static final int SMALL_QUEUE = 16;
    private static final FramedEvent CONNECTED = EncodedEvent.of(Event.comment("connected"));
    private static final FramedEvent HEARTBEAT = EncodedEvent.of(Event.comment("heartbeat"));

    private final Outlet outlet;
    private final ConnSettings settings;
    private final ConnRuntime runtime;
    private final String remoteAddress;
    private final FramedEvent heartbeat;
    private final long openedNanos;
    private volatile long deadlineNanos; // 0 for none; only ever moves earlier
    private static final java.time.Duration MAX_DEADLINE = java.time.Duration.ofDays(36_500);

    private final Object lock = new Object();
    // Guarded by lock.
    private ArrayDeque<Item> queue = new ArrayDeque<>(4);
    private long queuedBytes; // of the events in queue
    private int queuePeak; // the most events queued since the queue was last made
    private FramedEvent greeting;
    private List<FramedEvent> replay; // the page being written
    private int replayNext;
    private ReplayPages pages; // the pages after it, or null
    private boolean replayPending;
    private long liveSinceNanos; // when live events began to wait for the client: the open, or the last replay's end
    private boolean drainScheduled;
    private boolean started;
    private CloseReason closing;
    private boolean outletClosed;
    private volatile boolean failed; // ended by fail(): nothing more is owed to the client
    private volatile String cutBy; // which bound cut it, for the cut warning

    private volatile long writeStartedNanos;
    private final Object writerLock = new Object();
    private Thread writer; // guarded by writerLock: the thread inside outlet.write, if any
    private volatile long lastWriteNanos;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final CompletableFuture<CloseReason> done = new CompletableFuture<>();
    private final List<Consumer<CloseReason>> closeListeners = new CopyOnWriteArrayList<>();

    /**
     * @param meter       the topic the event was broadcast through, counted when written or dropped; or null
     * @param queuedNanos when it was queued, for the queue delay
     * @param measuresLag whether its write passes the delivery's lag to the meter (the fan-out's
     *                    {@link dev.ssekit.internal.metrics.LagSample}), or counts it only
     */
    private record Item(FramedEvent event, CompletableFuture<Void> receipt, TopicMeter meter, long queuedNanos,
                        boolean measuresLag) {
        Item(FramedEvent event) {
            this(event, null, null, 0, false);
        }
    }

    /**
     * A broadcast event as its subscribers' queues hold it: made by the fan-out once per event and
     * topic (twice where the lag's sample leaves some deliveries out: one record that measures the
     * lag, one that does not), and the same one in the queue of every subscriber it reaches, so
     * that queueing an event for N subscribers makes no object per subscriber. With one record per subscriber, ten
     * thousand subscribers each some 45 events behind held 450,000 records (14 MB), which every young
     * collection copied again while they waited: pauses of 47 to 97 ms on two cores, which every
     * request waited out, a stopping hub's 503s included (bench run AL).
     */
    public static final class Broadcast {
        private final Item item;

        private Broadcast(Item item) {
            this.item = item;
        }

        /**
         * @return the same broadcast, queued at the same time, whose deliveries are counted but
         *         pass no lag to the meter: for the subscribers outside the lag's sample
         *         ({@link dev.ssekit.internal.metrics.LagSample})
         */
        public Broadcast withoutLag() {
            return new Broadcast(new Item(item.event, null, item.meter, item.queuedNanos, false));
        }
    }

    /**
     * @param event the event, as written to every subscriber
     * @param meter the topic's counts, or null
     * @return what the fan-out queues to the event's subscribers on that topic, each delivery
     *         passing its lag to the meter ({@link Broadcast#withoutLag()} for those that do not);
     *         its queue delay ({@link ConnSettings#queueMaxDelay()}) counts from now, for each of them
     */
    public static Broadcast broadcast(FramedEvent event, TopicMeter meter) {
        return new Broadcast(new Item(event, null, meter, System.nanoTime(), true));
    }

    /**
     * Opens the connection and queues the {@code : connected} comment, so that the response headers
     * reach the client at once rather than with the first event.
     *
     * @param outlet        where the bytes go
     * @param settings      heartbeat, queue and timeouts
     * @param runtime       the threads that drive it
     * @param remoteAddress the client's address for logs and events, or null
     * @param startNow      false to hold every write until {@link #start()}: Jersey commits the
     *                      response headers at the first write, so a connection that is about to
     *                      be subscribed waits until its subscription has set them
     */
    public Connection(Outlet outlet, ConnSettings settings, ConnRuntime runtime,
                      String remoteAddress, boolean startNow) {
        this.outlet = Checks.notNull(outlet, "outlet");
        this.settings = Checks.notNull(settings, "settings");
        this.runtime = Checks.notNull(runtime, "runtime");
        this.remoteAddress = remoteAddress;
        this.heartbeat = HEARTBEAT;
        this.openedNanos = System.nanoTime();
        this.deadlineNanos = settings.maxLifetime() == null ? 0
                : openedNanos + settings.maxLifetime().toNanos();
        this.lastWriteNanos = openedNanos;
        this.liveSinceNanos = openedNanos;
        if (outlet.isClosed()) {
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

    /** @return the transport of this connection */
    public Outlet outlet() {
        return outlet;
    }

    /**
     * Cuts the connection as a slow consumer because too many clients held writer threads at once.
     *
     * @param maxStalled the cap that was passed
     */
    void cutAsStalled(int maxStalled) {
        cutBy = "it held a writer thread while more than " + maxStalled + " clients did (maxStalledWriters)";
        fail(CloseReason.SLOW_CONSUMER, null);
    }

    /** @return which bound cut the connection, in words, or null if none did */
    public String cutBy() {
        return cutBy;
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
     * Queues an event and returns a stage that completes when the outlet has written it.
     *
     * @throws ConnectionClosedException if the connection has ended
     */
    public CompletionStage<Void> send(FramedEvent event) {
        CompletableFuture<Void> receipt = new CompletableFuture<>();
        if (!enqueue(new Item(event, receipt, null, System.nanoTime(), false), null)) {
            throw new ConnectionClosedException(closeReason());
        }
        start();
        return receipt;
    }

    /**
     * Queues a broadcast event, with no receipt: broadcasts never wait for one subscriber. The
     * fan-out makes the {@link #broadcast} once for all of the event's subscribers on a topic.
     *
     * @param drains where a drain this makes due is left, for the fan-out to submit with the others
     *               once done (where the outlet never blocks); null to submit it now
     * @return false if the connection has ended or the overflow policy cut it
     */
    public boolean offer(Broadcast broadcast, Drains drains) {
        return enqueue(broadcast.item, drains);
    }

    /** @return why the connection ended or is ending; {@link CloseReason#CLOSED} while open */
    public CloseReason closeReason() {
        synchronized (lock) {
            return closing == null ? CloseReason.CLOSED : closing;
        }
    }

    private boolean enqueue(Item item, Drains drains) {
        List<Item> evicted = null;
        boolean overflowed = false;
        List<Item> cut = null;
        boolean submit = false;
        int length = item.event.frameLength();
        synchronized (lock) {
            if (closing != null) {
                return false;
            }
            while (!queue.isEmpty() && (queue.size() >= settings.queueCapacity()
                    || queuedBytes + length > settings.queueMaxBytes())) {
                if (settings.overflow() != OverflowPolicy.DROP_OLDEST) {
                    overflowed = true;
                    cutBy = queue.size() >= settings.queueCapacity()
                            ? "its queue of " + settings.queueCapacity() + " events was full (queueCapacity)"
                            : "its queue held " + queuedBytes + " bytes and the next event was " + length
                            + " more than " + settings.queueMaxBytes() + " (queueMaxBytes)";
                    break;
                }
                Item oldest = pollLocked();
                if (evicted == null) {
                    evicted = new ArrayList<>(1);
                }
                evicted.add(oldest);
            }
            if (overflowed) {
                // In the same hold of the lock as the decision: a drain that took the queue in
                // between would leave the cut nothing to drop, and what it dropped not said.
                cut = failLocked(CloseReason.SLOW_CONSUMER);
            } else {
                // An event larger than the byte limit still passes alone: it is shared by every
                // subscriber, and the event size limit bounds it.
                queue.add(item);
                queuedBytes += length;
                queuePeak = Math.max(queuePeak, queue.size());
                submit = claimDrainLocked();
            }
        }
        if (submit) {
            // Outside the lock: the writer it wakes takes this lock first, and the fan-out comes
            // here once per subscriber.
            if (drains != null && outlet.neverBlocks()) {
                drains.add(this);
            } else {
                submitDrain();
            }
        }
        if (evicted != null) {
            for (Item e : evicted) {
                dropped.incrementAndGet();
                if (e.meter != null) {
                    e.meter.dropped();
                }
                if (e.receipt != null) {
                    e.receipt.completeExceptionally(new EventDroppedException());
                }
            }
        }
        if (overflowed) {
            if (item.meter != null) {
                item.meter.dropped();
            }
            if (cut != null) {
                afterFail(CloseReason.SLOW_CONSUMER, cut);
            }
            if (item.receipt != null) {
                item.receipt.completeExceptionally(new ConnectionClosedException(CloseReason.SLOW_CONSUMER));
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
     * The pages of a replay after its first, each read once the page before has been written: what a
     * replay holds is one page, however long the history it writes.
     */
    @FunctionalInterface
    public interface ReplayPages {
        /**
         * Starts reading the next page. Called on a writer thread, holding no lock, once the page
         * before has been written to the outlet; never concurrently. The read itself belongs on
         * another thread: a writer blocked on a store would count as stalled on its client (see
         * {@link WriterPool}) and hold up other connections.
         *
         * @return the next page, oldest first, empty once the replay is done; a stage that fails
         *         ends the connection ({@link CloseReason#ERROR}): the client reconnects with the
         *         last id it got, so it is not left with a gap
         */
        CompletionStage<? extends List<? extends FramedEvent>> next();
    }

    /**
     * Writes {@code events} before anything queued, then the queue. The replayed events are bounded
     * by the store's retention, not by the queue capacity, which applies to live events only.
     */
    public void startReplay(List<? extends FramedEvent> events) {
        startReplay(events, null);
    }

    /**
     * Writes {@code first}, then the pages {@code more} gives, each read once the one before is
     * written, then the queue: live events queued meanwhile wait behind the whole replay.
     *
     * @param more the pages after {@code first}, or null for none
     */
    public void startReplay(List<? extends FramedEvent> first, ReplayPages more) {
        synchronized (lock) {
            replayPending = false;
            if (!outletClosed) {
                installPageLocked(first);
                pages = more;
            }
            noteIfReplayEndedLocked();
            scheduleDrainLocked();
        }
    }

    /** Makes {@code events} the page being written, less what the queue already holds live. */
    private void installPageLocked(List<? extends FramedEvent> events) {
        replay = null;
        if (events.isEmpty()) {
            return;
        }
        // A store may read past the high-water mark (one whose bound expired meanwhile):
        // what the queue already holds live is not replayed as well.
        Set<String> queued = new HashSet<>();
        for (Item item : queue) {
            if (item.event.getId() != null) {
                queued.add(item.event.getId());
            }
        }
        List<FramedEvent> fresh = new ArrayList<>(events.size());
        for (FramedEvent e : events) {
            if (!queued.contains(e.getId())) {
                fresh.add(e);
            }
        }
        if (!fresh.isEmpty()) {
            replay = fresh;
            replayNext = 0;
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
        if (claimDrainLocked()) {
            try {
                runtime.execute(this, this::drain);
            } catch (RejectedExecutionException e) {
                // The runtime has stopped (its hub closed): nothing can be written any more.
                drainScheduled = false;
            }
        }
    }

    /** @return true if a drain is now due and the caller must {@linkplain #submitDrain submit} it */
    private boolean claimDrainLocked() {
        if (!started || drainScheduled || outletClosed || (replayPending && greeting == null)) {
            return false;
        }
        drainScheduled = true;
        return true;
    }

    /**
     * Submits a task that drains {@code part}, connections whose drains {@link #claimDrainLocked}
     * claimed and whose outlets never block ({@link Drains}).
     */
    void submitShared(Runnable task, List<Connection> part) {
        try {
            runtime.execute(null, task);
        } catch (RejectedExecutionException e) {
            for (Connection c : part) {
                synchronized (c.lock) {
                    c.drainScheduled = false; // the runtime has stopped: nothing can be written any more
                }
            }
        }
    }

    /** Runs this connection's claimed drain inside a task it shares with others. */
    void drainShared() {
        try {
            drain();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a write to " + this + " failed", e); // the others still drain
        }
    }

    /** Submits the drain {@link #claimDrainLocked} claimed; called holding no lock. */
    private void submitDrain() {
        try {
            runtime.execute(this, this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                drainScheduled = false; // the runtime has stopped: nothing can be written any more
            }
        }
    }

    private Item pollLocked() {
        Item item = queue.poll();
        if (item != null) {
            queuedBytes -= item.event.frameLength();
            if (queue.isEmpty() && queuePeak > SMALL_QUEUE) {
                // An ArrayDeque never shrinks: after a burst, an idle connection would keep its array.
                queue = new ArrayDeque<>(4);
                queuePeak = 0;
            }
        }
        return item;
    }

    private Item nextLocked() {
        if (greeting != null) {
            FramedEvent e = greeting;
            greeting = null;
            return new Item(e);
        }
        if (replayPending) {
            return null;
        }
        if (replay != null) {
            FramedEvent e = replay.get(replayNext++);
            if (replayNext == replay.size()) {
                replay = null;
                noteIfReplayEndedLocked();
            }
            return new Item(e);
        }
        if (pages != null) {
            return null; // the next page is read first
        }
        return pollLocked();
    }

    /** @return the length of the next frame, or -1 if nothing may be written now */
    private int peekLengthLocked() {
        if (greeting != null) {
            return greeting.frameLength();
        }
        if (replayPending) {
            return -1;
        }
        if (replay != null) {
            return replay.get(replayNext).frameLength();
        }
        if (pages != null) {
            return -1;
        }
        Item head = queue.peek();
        return head == null ? -1 : head.event.frameLength();
    }

    /** @return what goes out in the next write: at least one item, up to {@link #MAX_BATCH_BYTES}; or null */
    private List<Item> nextBatchLocked() {
        boolean head = greeting != null;
        Item first = nextLocked();
        if (first == null) {
            return null;
        }
        if (head) {
            return List.of(first); // written alone: the stream's head, which an outlet may write its own way
        }
        // Sized for what is queued (at most a batch's worth): growing from a few slots was a fifth of
        // the writers' time in a fan-out of small events (bench (a), JFR).
        int waiting = replay != null ? replay.size() - replayNext : queue.size();
        List<Item> batch = new ArrayList<>(1 + Math.min(waiting, MAX_BATCH_ITEMS));
        batch.add(first);
        int bytes = first.event.frameLength();
        for (int next = peekLengthLocked(); next >= 0 && bytes + next <= MAX_BATCH_BYTES; next = peekLengthLocked()) {
            batch.add(nextLocked());
            bytes += next;
        }
        return batch;
    }

    private static FramedEvent frames(List<Item> batch) {
        if (batch.size() == 1) {
            return batch.get(0).event;
        }
        List<FramedEvent> frames = new ArrayList<>(batch.size());
        for (Item item : batch) {
            frames.add(item.event);
        }
        return FrameBatch.of(frames);
    }

    /**
     * Writes what is queued, a batch per write, then yields the thread to other connections. A
     * non-blocking outlet returns at once when its client cannot take more; the drain then goes on
     * when the write completes, holding no thread meanwhile.
     */
    private void drain() {
        for (int written = 0; written < DRAIN_WRITES; written++) {
            List<Item> batch;
            boolean closeNow = false;
            ReplayPages fetch = null;
            synchronized (lock) {
                if (greeting == null && !replayPending && replay == null && pages != null && !outletClosed) {
                    fetch = pages; // read by this drain alone: no other runs while it is scheduled
                }
            }
            if (fetch != null) {
                CompletableFuture<? extends List<? extends FramedEvent>> read;
                try {
                    read = fetch.next().toCompletableFuture();
                } catch (RuntimeException e) {
                    read = CompletableFuture.failedFuture(e);
                }
                if (!read.isDone()) {
                    // Continue when the page is read; the drain stays scheduled meanwhile.
                    read.whenComplete((page, error) -> {
                        if (installPage(page, error)) {
                            execute(this::drain);
                        }
                    });
                    return;
                }
                if (!installPage(read.isCompletedExceptionally() ? null : read.join(), failure(read))) {
                    return;
                }
                continue;
            }
            synchronized (lock) {
                batch = nextBatchLocked();
                if (batch == null) {
                    drainScheduled = false;
                    // A pending replay is written before a graceful close ends the stream.
                    if (closing == null || outletClosed || replayPending || pages != null) {
                        return;
                    }
                    closeOutletLocked(); // closing gracefully and everything is written
                    closeNow = true;
                }
            }
            if (closeNow) {
                finishClose();
                return;
            }
            List<Item> sent = batch;
            CompletableFuture<?> result = write(frames(sent));
            if (!result.isDone()) {
                // A non-blocking outlet, or an asynchronous sink (RESTEasy may answer later):
                // continue when this write ends, on a writer thread, not on the container's thread
                // that ended it (its selector or I/O thread): the receipts, the delivery counts and
                // the next batch are ssekit's work.
                result.whenComplete((ok, error) -> execute(() -> {
                    if (afterWrite(sent, error)) {
                        drain();
                    }
                }));
                return;
            }
            if (!afterWrite(sent, failure(result))) {
                return;
            }
        }
        execute(this::drain);
    }

    /**
     * Makes a page just read the one being written (the page before is written, the queue still
     * waits behind the replay), or ends the connection if the read failed.
     *
     * @return true to keep draining
     */
    private boolean installPage(List<? extends FramedEvent> page, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            LOG.log(Level.FINE, "ssekit: reading the next page of a replay failed; the client reconnects", cause);
            fail(CloseReason.ERROR, cause);
            return false;
        }
        synchronized (lock) {
            if (outletClosed) {
                drainScheduled = false;
                return false;
            }
            if (page.isEmpty()) {
                pages = null;
                noteIfReplayEndedLocked();
            } else {
                installPageLocked(page);
            }
            return true;
        }
    }

    private CompletableFuture<?> write(FramedEvent frames) {
        writeStartedNanos = System.nanoTime();
        synchronized (writerLock) {
            writer = Thread.currentThread();
        }
        try {
            return outlet.write(frames).toCompletableFuture();
        } catch (RuntimeException e) {
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
    private boolean afterWrite(List<Item> batch, Throwable error) {
        long now = System.nanoTime();
        writeStartedNanos = 0;
        if (error != null) {
            for (Item item : batch) {
                if (item.receipt != null) {
                    item.receipt.completeExceptionally(new ConnectionClosedException(CloseReason.CLIENT_GONE));
                }
            }
            LOG.log(Level.FINE, "ssekit: write failed, client gone", error);
            fail(CloseReason.CLIENT_GONE, error);
            return false;
        }
        lastWriteNanos = now;
        for (Item item : batch) {
            if (item.event.getData() != null && !(item.event instanceof RetryHint)) {
                delivered.incrementAndGet();
            }
            if (item.meter != null) {
                // The frame is shared by every subscriber and carries its accept time: nothing is
                // made per delivery to measure the lag.
                long accepted = item.event.acceptedNanos();
                item.meter.delivered(accepted == 0 || !item.measuresLag ? -1 : now - accepted);
            }
            if (item.receipt != null) {
                item.receipt.complete(null);
            }
        }
        return true;
    }

    /**
     * Ends the connection gracefully: no new events are accepted, the queued ones are still written,
     * then the stream ends. Idempotent.
     */
    public void close(CloseReason reason) {
        close(reason, reason == CloseReason.HUB_CLOSED ? settings.shutdownRetry() : null);
    }

    /**
     * Ends the connection gracefully, as {@link #close(CloseReason)} does, with a {@code retry:} hint
     * after the queued events: how long the client waits before it reconnects. Idempotent.
     *
     * @param retry the hint, positive; null for none
     */
    public void close(CloseReason reason, java.time.Duration retry) {
        synchronized (lock) {
            if (closing != null) {
                return;
            }
            if (retry != null && !outletClosed) {
                // After every queued event, whatever the capacity: the client's last word from this node.
                queue.add(new Item(new RetryHint(retry)));
            }
            closing = reason;
            started = true;
            if (drainScheduled || outletClosed) {
                return; // the running drain ends the stream when the queue is empty
            }
            drainScheduled = true;
        }
        execute(this::drain);
    }

    /** Ends the connection at once: queued events are dropped and their stages failed. */
    public void fail(CloseReason reason, Throwable cause) {
        List<Item> abandoned;
        synchronized (lock) {
            abandoned = failLocked(reason);
        }
        if (abandoned != null) {
            afterFail(reason, abandoned);
        }
    }

    /** @return the events the failure drops, or null if the connection had already ended */
    private List<Item> failLocked(CloseReason reason) {
        if (outletClosed) {
            return null;
        }
        if (closing == null) {
            closing = reason;
        }
        List<Item> abandoned = List.copyOf(queue);
        queue = new ArrayDeque<>(0);
        queuedBytes = 0;
        replay = null;
        pages = null;
        closeOutletLocked();
        failed = true;
        return abandoned;
    }

    private void afterFail(CloseReason reason, List<Item> abandoned) {
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
        // Closing a sink can block behind a stalled write in Jersey: never on the caller's thread.
        execute(this::finishClose);
    }

    private void execute(Runnable task) {
        try {
            runtime.execute(this, task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void closeOutletLocked() {
        outletClosed = true;
    }

    private void finishClose() {
        // A failed connection owes the client nothing: what the transport holds for it is dropped.
        try {
            if (failed) {
                outlet.cut();
            } else {
                outlet.end();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: ending the stream failed; the client is gone anyway", e);
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
            cutBy = "a write waited over " + settings.writeTimeout().toMillis() + " ms (writeTimeout)";
            fail(CloseReason.WRITE_TIMEOUT, null);
            return;
        }
        if (now - oldestQueuedNanos(now) > settings.queueMaxDelay().toNanos()) {
            // It reads, but not fast enough to catch up: cut it so it reconnects and replays.
            cutBy = "an event waited over " + settings.queueMaxDelay().toMillis() + " ms for it (queueMaxDelay)";
            fail(CloseReason.SLOW_CONSUMER, null);
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
                if (closing != null || !queue.isEmpty() || replay != null || pages != null || replayPending
                        || writeStartedNanos != 0) {
                    return;
                }
                queue.add(new Item(heartbeat, null, null, now, false));
                queuedBytes += heartbeat.frameLength();
                scheduleDrainLocked();
            }
        }
    }

    /**
     * Under the lock, where a replay's state moved: once nothing of it is left to read or write,
     * notes that live events wait for the client from now on (see {@link #oldestQueuedNanos}).
     */
    private void noteIfReplayEndedLocked() {
        if (!replayPending && replay == null && pages == null) {
            liveSinceNanos = System.nanoTime();
        }
    }

    /**
     * @return when the oldest live event began to wait for the client: when it was queued, but not
     *         before the connection's replay ended; {@code now} if none waits. Live events wait
     *         behind a replay, and while the node reads history for it (its turn among other
     *         replays, the store's answer) the client cannot take them: counted, a slow store cut
     *         every replaying client as a slow consumer (bench run P).
     */
    private long oldestQueuedNanos(long now) {
        synchronized (lock) {
            if (replayPending || replay != null || pages != null) {
                return now;
            }
            Item head = queue.peek();
            if (head == null || head.queuedNanos == 0) {
                return now;
            }
            return head.queuedNanos - liveSinceNanos < 0 ? liveSinceNanos : head.queuedNanos;
        }
    }

    /** @return the events waiting in the queue now, replay excluded */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** @return the bytes of the events waiting in the queue now, replay excluded */
    public long queuedBytes() {
        synchronized (lock) {
            return queuedBytes;
        }
    }

    @Override
    public String toString() {
        return "Conn{" + (remoteAddress == null ? "?" : remoteAddress)
                + (isClosed() ? ", closed " + closeReason() : "") + "}";
    }
}
