package dev.ssekit.internal.dispatch;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.HubClosedException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.internal.Checks;
import dev.ssekit.internal.metrics.Tracing;
import dev.ssekit.spi.TopicMatcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.logging.Logger;

/**
 * Appends published events to history in batches (group commit) and hands each acknowledged batch
 * on in id order.
 *
 * <p>Publishers that arrive while a batch is being stored wait, and the next batch takes all of
 * them in one store call: one transaction and one statement on JDBC, one round trip on Redis. No
 * publisher waits for a round trip it could have shared. Whoever finds the store free stores the
 * waiting batch on its own thread (flat combining), so an uncontended publish costs no thread
 * hand-off, and each waiting publisher is woken once, when its event is settled or when it is its
 * turn to store the next batch.
 *
 * <p>Two stages, each one batch at a time: storing, then handing on (fan-out). A batch's thread
 * takes the hand-on lock before it lets go of the store, so batches are handed on in the order they
 * were stored, which is id order, while the next batch is already being stored: a slow store and a
 * wide fan-out overlap instead of adding up. A publisher returns only once its event is stored and
 * handed on; a failure of the store fails every publisher of that batch, and none of its events
 * reaches a subscriber.
 *
 * <p>A store may ask for concurrent publishes to be appended apart ({@link HistoryStore#batchKey}:
 * a partitioned store appends each batch to one partition). A batch is then stored as one append per
 * key, one after the other on the batch's thread, in an order that keeps each publisher's own: each
 * append's ids are above the previous one's, so the batch is still handed on in id order. A failed
 * append fails its own publishers; one whose outcome is in doubt also fails the batch's later
 * appends, which are not made (see {@link #storeEach}).
 *
 * <h2>Lanes</h2>
 * A pipeline that does not hand events on itself (a shared store's follow does, merging by position)
 * stores through {@value #LANES} lanes, each a pipeline of its own as above, chosen by the entry's
 * key modulo {@value #LANES}: publishes to different partitions of a store are then stored at the
 * same time, each lane group-committing its own, rather than one partition's append after the
 * other's. Order is kept where it is defined: a publisher's next publish starts once its previous
 * one is settled, and the store gives each append ids above every id its node has seen; a
 * {@link #publishAll} spanning lanes stores its runs of one lane one after the other. A pipeline
 * that hands events on itself needs its appends in id order, so it has one lane: itself.
 *
 * <h2>Bounded waits</h2>
 * A publisher waits at most the publish timeout for the store to take its event: past it, an event
 * still waiting is withdrawn and its publisher fails ({@link HistoryStoreException}, nothing stored).
 * An event already taken into a batch waits for that store call, which the store's own timeouts
 * bound, and at most twice the publish timeout in all: past that its publisher fails saying that
 * the event may still be stored. Whatever a batch's thread meets while storing or handing on, an
 * {@link Error} included, every publisher of the batch is settled before it goes on: none is left
 * waiting.
 *
 * <h2>Ambiguous outcomes</h2>
 * A store call that fails may still have stored its events: the commit went through and its
 * acknowledgment was lost, or the call timed out after the commit. Its publishers fail (nothing was
 * acknowledged), but what reaches subscribers follows what the store holds, not what it answered:
 * with a {@link Recovery} (a store of one node, whose events only this pipeline hands on), the next
 * store call first reads back what the store holds after the newest event handed on, and hands that
 * on, in order and once, ahead of its own batch; so does {@link #settleDoubt()}, which the registry
 * runs at once on a thread of its own (and again while the read fails), so that a kept event does
 * not wait for the node's next publish. Until that read succeeds no later event is stored,
 * so none can overtake it: those publishers fail saying why, and nothing of theirs is stored. When
 * the read cannot place the newest event handed on (it expired) or returns more than
 * {@value #MAX_RECOVERED} events, the high-water mark moves to the store's newest event and every
 * subscriber reconnects and gets what it missed by replay ({@link Recovery#lost}).
 */
final class PublishPipeline {
    private static final Logger LOG = Logger.getLogger(PublishPipeline.class.getName());
    /** Bounds one store call, so that a batch's latency stays bounded under any load. */
    static final int MAX_BATCH = 256;
    /** A waiting publisher looks again this often even if nobody woke it: a bound, not a poll loop. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Busy checks before a waiting publisher parks. */
    private static final int SPINS = 256;
    /**
     * Lanes of a pipeline that does not hand events on: keys ({@link HistoryStore#batchKey}) that
     * differ modulo this are stored at the same time. At least a partitioned store's most partitions.
     */
    static final int LANES = 16;
    /** Most events a read-back after an ambiguous outcome hands on; past it, subscribers replay. */
    static final int MAX_RECOVERED = 10_000;

    /**
     * How the pipeline settles ambiguous outcomes (see the class documentation).
     *
     * @param startAfter the id of the newest event in the store when the pipeline starts, or null
     * @param lost       told the store's newest id when a read-back could not hand on what the store
     *                   holds: it moves the high-water mark there and makes every subscriber
     *                   reconnect (it runs in the hand-on stage, in order with the batches)
     * @param doubted    told when a store call leaves its outcome in doubt, under the storing lock:
     *                   it must not block, and arranges {@link #settleDoubt()} on a thread of its own,
     *                   so that a kept event reaches subscribers without waiting for another publish
     */
    record Recovery(String startAfter, Consumer<String> lost, Runnable doubted) {
    }

    /** The lanes this pipeline's publishes are stored through, by key; null when it stores them itself. */
    private final PublishPipeline[] lanes;
    private final String name;
    private final HistoryStore store;
    private final Duration timeout;
    private final Consumer<List<Published>> acknowledged;
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final ReentrantLock storing = new ReentrantLock();
    private final ReentrantLock handingOn = new ReentrantLock();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object drained = new Object();
    private volatile boolean closed;
    private final Recovery recovery; // null: a shared store's follow hands events on, not this pipeline
    private final ObjLongConsumer<String> accepting;
    private final ObjLongConsumer<String> storeCalls;
    // Under the storing lock: the id of the newest event stored here, read back or the store's at start.
    private String storedUpTo;
    // Written under the storing lock: why a store call may have stored what it did not acknowledge,
    // until read back. Volatile for isInDoubt(), read without the lock.
    private volatile Throwable inDoubt;

    private static final int WAITING = 0;
    private static final int TAKEN = 1; // in a batch being stored: its outcome comes, it need not store
    private static final int WITHDRAWN = 2; // its publisher gave up before a batch took it: never stored
    private static final AtomicIntegerFieldUpdater<Pending> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Pending.class, "state");

    /** One publisher's request and, once settled, its outcome. */
    /** A {@link Pending} whose key the store has not been asked for yet. */
    private static final long NO_KEY = Long.MIN_VALUE;

    private static final class Pending {
        final HistoryStore.Entry entry;
        final Object value;
        final Thread publisher = Thread.currentThread();
        // When the pipeline accepted it: where the delivery lag starts.
        final long acceptedNanos = System.nanoTime();
        Event stored;
        RuntimeException failure;
        volatile int state; // WAITING, then TAKEN by a batch or WITHDRAWN by its publisher
        volatile boolean settled; // written last: it publishes stored and failure
        RuntimeException gaveUp; // its publisher's own: it stopped waiting for a batch that took it
        final boolean traced; // its publisher records a span: the batch notes its stages' times
        Tracing.Stages stages; // written by the batch's thread before it settles this one

        Tracing.Stages stages() {
            return gaveUp != null ? null : stages;
        }

        Event outcome() {
            return gaveUp != null ? null : stored;
        }

        RuntimeException failure() {
            return gaveUp != null ? gaveUp : failure;
        }

        /** Its {@link HistoryStore#batchKey}, when already asked (by the lanes); else {@link #NO_KEY}. */
        final long key;

        Pending(HistoryStore.Entry entry, Object value, boolean traced, long key) {
            this.entry = entry;
            this.value = value;
            this.traced = traced;
            this.key = key;
        }
    }

    /**
     * @param name         names the registry in messages
     * @param store        where events are appended
     * @param timeout      how long a publisher waits for the store to take its event (see the class
     *                     documentation)
     * @param acknowledged takes each stored batch, in order, before its publishers return; it must
     *                     not throw
     */
    PublishPipeline(String name, HistoryStore store, Duration timeout, Consumer<List<Published>> acknowledged) {
        this(name, store, timeout, acknowledged, null);
    }

    /**
     * @param recovery how ambiguous outcomes are settled; null when the pipeline does not hand events
     *                 on itself (a shared store's follow does)
     */
    PublishPipeline(String name, HistoryStore store, Duration timeout, Consumer<List<Published>> acknowledged,
                    Recovery recovery) {
        this(name, store, timeout, acknowledged, recovery, (operation, nanos) -> {
        }, null);
    }

    /**
     * @param storeCalls told of each append's duration ({@code "append"}, nanoseconds), failed or
     *                   not; it must not throw
     * @param accepting  told of each event's id and accept time ({@link System#nanoTime()}) before it
     *                   is stored, where the event already has its id; null for none. A shared
     *                   store's follow hands events on, and measures their delivery lag from this.
     */
    PublishPipeline(String name, HistoryStore store, Duration timeout, Consumer<List<Published>> acknowledged,
                    Recovery recovery, ObjLongConsumer<String> storeCalls, ObjLongConsumer<String> accepting) {
        this(name, store, timeout, acknowledged, recovery, storeCalls, accepting, recovery == null);
    }

    /** @param laned whether to store through {@value #LANES} lanes (see "Lanes" in the class documentation) */
    private PublishPipeline(String name, HistoryStore store, Duration timeout, Consumer<List<Published>> acknowledged,
                            Recovery recovery, ObjLongConsumer<String> storeCalls, ObjLongConsumer<String> accepting,
                            boolean laned) {
        if (laned) {
            lanes = new PublishPipeline[LANES];
            for (int i = 0; i < LANES; i++) {
                lanes[i] = new PublishPipeline(name, store, timeout, acknowledged, recovery, storeCalls, accepting, false);
            }
        } else {
            lanes = null;
        }
        this.storeCalls = storeCalls;
        this.accepting = accepting;
        this.name = name;
        this.store = store;
        this.timeout = Checks.positive(timeout, "publishTimeout");
        this.acknowledged = acknowledged;
        this.recovery = recovery;
        this.storedUpTo = recovery == null ? null : recovery.startAfter();
    }

    private void accepted(Pending p) {
        String id = accepting == null ? null : p.entry.event().id().orElse(null);
        if (id != null) {
            accepting.accept(id, p.acceptedNanos);
        }
    }

    /** @return the store as messages name it */
    private String storeName() {
        return "history store " + store.getClass().getSimpleName();
    }

    /**
     * Stores an event, sharing the store call with concurrent publishers, and hands it on.
     *
     * @return the event as stored, with its id
     * @throws HubClosedException                 if the pipeline is closed
     * @throws DuplicateIdException               if its id is already used
     * @throws dev.ssekit.HistoryStoreException    if the store failed; the event was not acknowledged
     */
    Event publish(Set<String> topics, Event event, Object value) {
        return publish(topics, event, value, Tracing.PublishSpan.NONE);
    }

    /**
     * As {@link #publish(Set, Event, Object)}, ending {@code span} with the times of its batch's
     * store call and fan-out.
     */
    Event publish(Set<String> topics, Event event, Object value, Tracing.PublishSpan span) {
        HistoryStore.Entry entry = new HistoryStore.Entry(topics, event);
        if (lanes != null) {
            if (closed) {
                throw new HubClosedException(name);
            }
            int key = batchKey(entry); // asked once: the lane's batch takes it from here
            return lanes[Math.floorMod(key, LANES)].publish(entry, value, span, key);
        }
        return publish(entry, value, span, NO_KEY);
    }

    /**
     * As {@link #publish(Set, Event, Object, Tracing.PublishSpan)}, in this pipeline (a lane, or one
     * without); {@code key} is the entry's batch key if already asked, else {@link #NO_KEY}.
     */
    private Event publish(HistoryStore.Entry entry, Object value, Tracing.PublishSpan span, long key) {
        Pending mine = new Pending(entry, value, span != Tracing.PublishSpan.NONE, key);
        accepted(mine);
        try {
            run(List.of(mine));
        } catch (RuntimeException e) {
            span.end(null, e, null);
            throw e;
        }
        if (mine.failure() != null) {
            span.end(null, mine.failure(), mine.stages());
            throw mine.failure();
        }
        Event stored = mine.outcome();
        span.end(stored.id().orElse(null), null, mine.stages());
        return stored;
    }

    /** The outcome of one event of {@link #publishAll}: stored, or failed. */
    record Outcome(Event stored, RuntimeException failure) {
    }

    /**
     * Stores events in the order given, sharing store calls with concurrent publishers, and hands
     * them on; each event succeeds or fails on its own (a duplicate id fails that event only).
     *
     * @param values the values the events were encoded from, one per entry (null elements allowed)
     * @return one outcome per entry, in order
     * @throws HubClosedException if the pipeline is closed; nothing was stored then
     */
    List<Outcome> publishAll(List<HistoryStore.Entry> entries, List<Object> values) {
        if (lanes != null) {
            return publishAllThroughLanes(entries, values);
        }
        List<Pending> mine = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Pending p = new Pending(entries.get(i), values.get(i), false, NO_KEY);
            accepted(p);
            mine.add(p);
        }
        run(mine);
        List<Outcome> outcomes = new ArrayList<>(mine.size());
        for (Pending p : mine) {
            outcomes.add(new Outcome(p.outcome(), p.failure()));
        }
        return outcomes;
    }

    /**
     * Stores each run of entries of one lane through that lane, one run after the other: each run is
     * settled before the next starts, so the publisher's events keep their order across lanes.
     */
    private List<Outcome> publishAllThroughLanes(List<HistoryStore.Entry> entries, List<Object> values) {
        if (closed) {
            throw new HubClosedException(name);
        }
        List<Outcome> outcomes = new ArrayList<>(entries.size());
        int from = 0;
        while (from < entries.size()) {
            PublishPipeline lane = laneOf(entries.get(from));
            int to = from + 1;
            while (to < entries.size() && laneOf(entries.get(to)) == lane) {
                to++;
            }
            try {
                outcomes.addAll(lane.publishAll(entries.subList(from, to), values.subList(from, to)));
            } catch (HubClosedException e) {
                if (from == 0) {
                    throw e; // nothing stored: as a pipeline without lanes
                }
                for (int i = from; i < to; i++) {
                    outcomes.add(new Outcome(null, e)); // the earlier runs were stored: say which were not
                }
            }
            from = to;
        }
        return outcomes;
    }

    /** @return the lane that stores {@code entry}: by its key ({@link HistoryStore#batchKey}) */
    private PublishPipeline laneOf(HistoryStore.Entry entry) {
        return lanes[Math.floorMod(batchKey(entry), LANES)];
    }

    /**
     * @return the store's {@link HistoryStore#batchKey} for {@code entry}
     * @throws HistoryStoreException if the store failed to give it: the event is not stored
     */
    private int batchKey(HistoryStore.Entry entry) {
        try {
            return store.batchKey(entry);
        } catch (RuntimeException e) {
            throw HistoryStoreException.notStored(storeName() + " failed to say which events may share an append "
                    + "(batchKey): " + e + "; the event was not stored", e);
        }
    }

    /**
     * Moves what {@code relay} returns into the published order: it runs in the storing stage, as a
     * batch's store call does, and what it returns is handed on like a stored batch, so that events
     * a store wrote in a publisher's transaction (an outbox) reach subscribers in id order with all
     * others.
     *
     * @param relay stores events and returns them as stored, in id order
     * @return what {@code relay} returned
     * @throws HubClosedException if the pipeline is closed
     * @throws RuntimeException   what {@code relay} threw; nothing was handed on then
     */
    List<HistoryStore.Entry> relay(java.util.function.Supplier<List<HistoryStore.Entry>> relay) {
        if (lanes != null) {
            if (closed) {
                throw new HubClosedException(name);
            }
            return lanes[0].relay(relay); // its events reach subscribers through the store's follow
        }
        accepted.incrementAndGet();
        try {
            if (closed) {
                throw new HubClosedException(name);
            }
            List<HistoryStore.Entry> moved;
            ReadBack before;
            if (!lockStoring()) {
                throw new HistoryStoreException(storeName() + " did not take the relay within the publish timeout ("
                        + Checks.describe(timeout) + "): it is still busy with earlier events", null);
            }
            boolean handOn;
            try {
                before = readBack(); // its failure is the relay's: nothing was relayed
                Throwable doubtBefore = inDoubt;
                moved = relay.get();
                handOn = advance(before, doubtBefore,
                        moved.isEmpty() ? null : moved.get(moved.size() - 1).event().id().orElseThrow());
                if (handOn) {
                    handingOn.lock(); // before the store is let go: hand-on keeps id order
                }
            } catch (RuntimeException | Error e) {
                doubt(e); // the relay may have committed before it failed
                throw e;
            } finally {
                storing.unlock();
            }
            wakeNextWaiting();
            if (handOn) {
                try {
                    List<Published> published = new ArrayList<>(before.events().size() + moved.size());
                    published.addAll(before.events());
                    for (HistoryStore.Entry e : moved) {
                        published.add(new Published(e.topics(), e.event(), null, e.event().id().orElseThrow()));
                    }
                    handOn(before, published);
                } finally {
                    handingOn.unlock();
                }
            }
            return moved;
        } finally {
            release();
        }
    }

    /**
     * What the store held after the newest event handed on, read back after an ambiguous outcome.
     *
     * @param events what to hand on before the caller's own events, in order
     * @param upTo   the newest id read back (or the store's newest, when {@code lost})
     * @param lost   the read could not be handed on: subscribers must replay up to {@code upTo}
     */
    private record ReadBack(List<Published> events, String upTo, boolean lost) {
        static final ReadBack NONE = new ReadBack(List.of(), null, false);
    }

    /**
     * Under the storing lock: when an earlier store call's outcome is in doubt, reads back what the
     * store holds after the newest event handed on. It changes no state: {@link #advance} does, once
     * the caller is about to hand on.
     *
     * @throws RuntimeException what the store threw: the doubt stays
     */
    private ReadBack readBack() {
        if (inDoubt == null || recovery == null) {
            return ReadBack.NONE;
        }
        // The topics of each event, in the order the store offers them to the matcher, which is the
        // order it returns them in; a store that offers more than it returns is caught by the count.
        List<Set<String>> topics = new ArrayList<>();
        TopicMatcher every = eventTopics -> {
            topics.add(Set.copyOf(eventTopics));
            return true;
        };
        // One page past the most it hands on: a bounded read, however much history follows.
        Replay held = store.readMatchingPage(every, storedUpTo == null ? HistoryStore.EARLIEST : storedUpTo, null,
                MAX_RECOVERED + 1);
        boolean over = held.events().size() > MAX_RECOVERED;
        if (over || !held.afterIdFound() || held.events().size() != topics.size()) {
            String newest = store.latestId().orElse(storedUpTo);
            LOG.warning("ssekit: " + name + " could not read back what " + storeName() + " holds after a store call "
                    + "whose outcome was lost (" + (over ? "more than " + MAX_RECOVERED + " events"
                    : !held.afterIdFound() ? "the newest event handed on is no longer retained"
                    : "the store offered the matcher other events than it returned") + "); every subscriber "
                    + "reconnects and gets it by replay");
            return new ReadBack(List.of(), newest, true);
        }
        List<Published> events = new ArrayList<>(held.events().size());
        for (int i = 0; i < held.events().size(); i++) {
            Event e = held.events().get(i);
            events.add(new Published(topics.get(i), e, null, e.id().orElseThrow()));
        }
        if (!events.isEmpty()) {
            LOG.info("ssekit: " + name + " hands on " + events.size() + " event(s) that " + storeName()
                    + " stored although its call failed (" + inDoubt + ")");
        }
        return new ReadBack(events, events.isEmpty() ? storedUpTo : events.get(events.size() - 1).position(),
                false);
    }

    /**
     * Under the storing lock, once the caller's own store call returned: moves the newest id handed
     * on past what is about to be handed on, and settles the doubt a read-back answered (unless the
     * caller's own call left a new one).
     *
     * @param doubtBefore the doubt when {@code before} was read
     * @param lastOwnId   the id of the newest of the caller's own events as stored, or null for none
     * @return whether there is anything to hand on
     */
    private boolean advance(ReadBack before, Throwable doubtBefore, String lastOwnId) {
        if (before != ReadBack.NONE && inDoubt == doubtBefore) {
            inDoubt = null;
        }
        if (lastOwnId != null) {
            storedUpTo = lastOwnId;
        } else if (before != ReadBack.NONE) {
            storedUpTo = before.upTo();
        }
        return before.lost() || !before.events().isEmpty() || lastOwnId != null;
    }

    /** Notes that a store call may have stored what it did not acknowledge. */
    private void doubt(Throwable cause) {
        if (recovery != null) {
            inDoubt = cause;
            recovery.doubted().run();
        }
    }

    /** @return whether a store call's outcome is in doubt, not yet read back */
    boolean isInDoubt() {
        if (lanes != null) {
            for (PublishPipeline lane : lanes) {
                if (lane.isInDoubt()) {
                    return true;
                }
            }
            return false;
        }
        return inDoubt != null;
    }

    /**
     * Reads back what a store call in doubt may have kept and hands it on, as the next store call
     * would before its own batch, so that a kept event reaches subscribers without waiting for the
     * node's next publish. Waits for the store at most the publish timeout; a read that fails leaves
     * the doubt for the next try or the next store call.
     *
     * @return whether the doubt is settled (or there was none)
     */
    boolean settleDoubt() {
        if (lanes != null) {
            boolean settled = true;
            for (PublishPipeline lane : lanes) {
                settled &= lane.settleDoubt();
            }
            return settled;
        }
        if (recovery == null || inDoubt == null) {
            return true;
        }
        accepted.incrementAndGet(); // close() waits for it as for a publish
        try {
            if (closed || !lockStoring()) {
                return false;
            }
            ReadBack before;
            boolean handOn;
            try {
                before = readBack();
                handOn = advance(before, inDoubt, null);
                if (handOn) {
                    handingOn.lock(); // before the store is let go: hand-on keeps id order
                }
            } catch (RuntimeException e) {
                LOG.fine(() -> "ssekit: " + name + " could not read back " + storeName() + " yet: " + e);
                return false;
            } finally {
                storing.unlock();
            }
            wakeNextWaiting();
            if (handOn) {
                try {
                    handOn(before, before.events());
                } finally {
                    handingOn.unlock();
                }
            }
            return inDoubt == null;
        } finally {
            release();
        }
    }

    /** In the hand-on stage: what a read-back could not hand on first, then {@code published}. */
    private void handOn(ReadBack before, List<Published> published) {
        if (before.lost()) {
            recovery.lost().accept(before.upTo());
        }
        if (!published.isEmpty()) {
            acknowledged.accept(published);
        }
    }

    /** @return whether the storing lock was taken within the publish timeout */
    private boolean lockStoring() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    return storing.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // the relay's rows are committed: keep trying, keep the interrupt
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Queues {@code mine} in order and returns once each is settled. */
    private void run(List<Pending> mine) {
        accepted.incrementAndGet(); // before the check: close() then waits for this publish
        boolean interrupted = false;
        try {
            if (closed) {
                throw new HubClosedException(name);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            waiting.addAll(mine);
            for (Pending p : mine) {
                interrupted |= await(p, deadline);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            release();
        }
    }

    private void release() {
        if (accepted.decrementAndGet() == 0 && closed) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /**
     * Waits until {@code mine} is settled, storing the next batch whenever the store is free; fails
     * it past the deadline (see the class documentation).
     *
     * @return true if the thread was interrupted meanwhile
     */
    private boolean await(Pending mine, long deadline) {
        boolean interrupted = false;
        while (!mine.settled) {
            if (mine.state == WAITING && storing.tryLock()) {
                storeNextBatch();
            } else if (!spinUntilSettledOrFree(mine)) {
                long now = System.nanoTime();
                if (now - deadline >= 0 && giveUp(mine, now - deadline >= timeout.toNanos())) {
                    break;
                }
                LockSupport.parkNanos(this, RECHECK_NANOS);
                // The event may be on its way already: wait for its outcome, keep the interrupt.
                interrupted |= Thread.interrupted();
            }
        }
        return interrupted;
    }

    /** Wakes the first publisher still waiting, dropping withdrawn ones from the queue's head. */
    private void wakeNextWaiting() {
        for (Pending next; (next = waiting.peek()) != null; ) {
            if (next.state == WAITING) {
                LockSupport.unpark(next.publisher);
                return;
            }
            waiting.remove(next); // at the head: found at once
        }
    }

    /**
     * Past the publish timeout: withdraws an event no batch took yet; past twice that, fails one
     * whose batch is still being stored.
     *
     * @return true if {@code mine} now holds its failure
     */
    private boolean giveUp(Pending mine, boolean overdue) {
        if (STATE.compareAndSet(mine, WAITING, WITHDRAWN)) {
            // Left in the queue: the next batch, or wakeNextWaiting, skips it. Removing it here would
            // walk the queue, once per publisher that gives up, when the queue is longest.
            mine.failure = new HistoryStoreException(storeName() + " did not take the event within the publish "
                    + "timeout (" + Checks.describe(timeout) + "): it is still busy with earlier events; the event "
                    + "was not stored", null);
            return true;
        }
        if (overdue && !mine.settled) {
            // The batch's late outcome is written to fields its publisher no longer reads.
            mine.gaveUp = new HistoryStoreException(storeName() + " did not answer within twice the publish "
                    + "timeout (" + Checks.describe(timeout.multipliedBy(2)) + "); the event may still be stored",
                    null);
            return true;
        }
        return false;
    }

    /**
     * A fast store (memory) settles a batch in about a microsecond: waiting that long beats parking,
     * which costs two context switches per publish.
     *
     * @return true if {@code mine} was settled or the store became free meanwhile
     */
    private boolean spinUntilSettledOrFree(Pending mine) {
        for (int i = 0; i < SPINS; i++) {
            if (mine.settled || (mine.state == WAITING && !storing.isLocked())) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /**
     * Stores the batch that waits (under the storing lock, which it releases) and hands it on
     * (under the hand-on lock, taken before the storing lock is let go: batches keep their order).
     */
    private void storeNextBatch() {
        List<Pending> batch = new ArrayList<>();
        List<Pending> stored = List.of();
        ReadBack before = ReadBack.NONE;
        boolean handOn = false;
        Tracing.Stages stages = null;
        try {
            Pending p;
            while (batch.size() < MAX_BATCH && (p = waiting.poll()) != null) {
                if (STATE.compareAndSet(p, WAITING, TAKEN)) {
                    batch.add(p);
                } // else withdrawn by its publisher, who failed it already
            }
            List<List<Pending>> appends = batch.isEmpty() ? null : appendsFor(batch);
            if (appends != null) {
                stages = stagesFor(batch);
                before = readBackFor(batch);
                if (before != null) {
                    Throwable doubtBefore = inDoubt;
                    if (stages != null) {
                        stages.storeStart = System.nanoTime();
                    }
                    try {
                        stored = appends.size() == 1 ? store(batch) : storeEach(appends);
                    } finally {
                        if (stages != null) {
                            stages.storeEnd = System.nanoTime();
                        }
                    }
                    handOn = advance(before, doubtBefore,
                            stored.isEmpty() ? null : stored.get(stored.size() - 1).stored.id().orElseThrow());
                }
            }
            if (handOn) {
                handingOn.lock();
            }
        } catch (RuntimeException | Error e) {
            // store() settles what the store refused; anything else (an Error, say) must not leave
            // the batch's publishers waiting for an outcome nobody will give. The store may have
            // kept the batch all the same: the next call reads back what it holds.
            doubt(e);
            failUnsettled(batch, new HistoryStoreException(storeName() + " failed: " + e, e));
            throw e;
        } finally {
            storing.unlock();
        }
        // Whoever waits now arrived during that batch: it stores the next one while this one is handed on.
        wakeNextWaiting();
        if (!handOn) {
            return;
        }
        try {
            List<Published> published = new ArrayList<>(before.events().size() + stored.size());
            published.addAll(before.events());
            for (Pending p : stored) {
                published.add(new Published(p.entry.topics(), p.stored, p.value, p.stored.id().orElseThrow(),
                        p.acceptedNanos));
            }
            // Without recovery a shared store's follow fans events out, not this stage: no fan-out to time.
            boolean timed = stages != null && recovery != null;
            if (timed) {
                stages.fanOutStart = System.nanoTime();
            }
            handOn(before, published);
            if (timed) {
                stages.fanOutEnd = System.nanoTime();
            }
        } catch (RuntimeException | Error e) {
            // Stored, so not a store failure: the publisher learns that live delivery broke, and why.
            failUnsettled(stored, new IllegalStateException("the event was stored but handing it on to subscribers "
                    + "failed: " + e, e));
            throw e;
        } finally {
            handingOn.unlock();
        }
        for (Pending p : stored) {
            settle(p, p.stored, null);
        }
    }

    /**
     * Splits a batch into the appends the store asks for ({@link HistoryStore#batchKey}): one per
     * key, in the order each key first comes, so that concurrent publishes to different partitions
     * of a store are appended each to its own. A publisher's events keep their order: an event
     * whose key's append comes before that of its publisher's previous event starts a new round of
     * appends after the current one.
     *
     * @return the appends, in the order they are made; null when the store failed to give a key, in
     *         which case the batch failed (nothing of it stored)
     */
    private List<List<Pending>> appendsFor(List<Pending> batch) {
        int[] keys = new int[batch.size()];
        boolean oneKey = true;
        try {
            for (int i = 0; i < keys.length; i++) {
                Pending p = batch.get(i);
                keys[i] = p.key != NO_KEY ? (int) p.key : batchKey(p.entry);
                oneKey &= keys[i] == keys[0];
            }
        } catch (HistoryStoreException e) {
            failUnsettled(batch, e);
            return null;
        }
        if (oneKey) {
            return List.of(batch); // every store of one place: the common case costs no map
        }
        List<List<Pending>> appends = new ArrayList<>();
        java.util.Map<Integer, Integer> appendOfKey = new java.util.HashMap<>(); // in the current round
        java.util.Map<Thread, Integer> lastAppendOf = new java.util.HashMap<>(); // per publisher, in the round
        for (int i = 0; i < keys.length; i++) {
            Pending p = batch.get(i);
            Integer a = appendOfKey.get(keys[i]);
            Integer previous = lastAppendOf.get(p.publisher);
            if (a != null && previous != null && a < previous) {
                // Its key's append comes before its publisher's previous event's: a new round.
                appendOfKey.clear();
                lastAppendOf.clear();
                a = null;
            }
            if (a == null) {
                a = appends.size();
                appends.add(new ArrayList<>());
                appendOfKey.put(keys[i], a);
            }
            appends.get(a).add(p);
            lastAppendOf.put(p.publisher, a);
        }
        return appends;
    }

    /**
     * Makes {@code appends} one after the other, each a store call of its own: each append's ids
     * are above the previous one's (the store orders appends), so the stored events are in id order,
     * which is the order they are handed on in. An append whose outcome is in doubt ends the batch:
     * what it may have stored is read back before anything later is stored (with a {@link Recovery}),
     * and a later append of its publisher must not overtake it; the batch's other appends fail, not
     * stored, as they would have had the batch been one append.
     *
     * @return the stored ones, in id order, each holding its stored event (not yet settled)
     */
    private List<Pending> storeEach(List<List<Pending>> appends) {
        List<Pending> stored = new ArrayList<>();
        for (int i = 0; i < appends.size(); i++) {
            List<Pending> append = appends.get(i);
            stored.addAll(store(append));
            for (Pending p : append) {
                if (p.settled && inDoubt(p.failure)) {
                    HistoryStoreException failure = HistoryStoreException.notStored(storeName() + " left the outcome "
                            + "of another append of the same batch in doubt (" + p.failure.getMessage() + "); so "
                            + "that nothing overtakes what it may have stored, the event was not stored", p.failure);
                    for (List<Pending> rest : appends.subList(i + 1, appends.size())) {
                        failUnsettled(rest, failure);
                    }
                    return stored;
                }
            }
        }
        return stored;
    }

    /** @return whether a failed append may have stored its events all the same */
    private static boolean inDoubt(RuntimeException failure) {
        return !(failure instanceof IllegalArgumentException) && !(failure instanceof DuplicateIdException)
                && !(failure instanceof HistoryStoreException h && !h.mayHaveStored());
    }

    /** @return where the batch notes its stages' times, given to each of its traced events; null when none is traced */
    private static Tracing.Stages stagesFor(List<Pending> batch) {
        Tracing.Stages stages = null;
        for (Pending p : batch) {
            if (p.traced) {
                if (stages == null) {
                    stages = new Tracing.Stages();
                    stages.events = batch.size();
                }
                p.stages = stages;
            }
        }
        return stages;
    }

    /**
     * Reads back what an ambiguous outcome may have stored, before {@code batch} is stored; if the
     * store cannot say, fails the batch: storing it would let it overtake what the store may hold.
     *
     * @return the read-back, or null when the batch failed
     */
    private ReadBack readBackFor(List<Pending> batch) {
        try {
            return readBack();
        } catch (RuntimeException e) {
            failUnsettled(batch, new HistoryStoreException(storeName() + " has not said whether an earlier event, "
                    + "whose store call failed, was stored (" + e.getMessage() + "); until it does, no later event "
                    + "is stored, so that none overtakes it: the event was not stored", e));
            return null;
        }
    }

    /** Settles with {@code failure} every one of {@code batch} not settled yet. */
    private static void failUnsettled(List<Pending> batch, RuntimeException failure) {
        for (Pending p : batch) {
            if (!p.settled) {
                settle(p, null, failure);
            }
        }
    }

    /**
     * Appends a batch; settles with their failure those that cannot be stored.
     *
     * @return the stored ones, in id order, each holding its stored event (not yet settled)
     */
    private List<Pending> store(List<Pending> batch) {
        List<HistoryStore.Entry> entries = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            entries.add(p.entry);
        }
        List<Event> stored;
        try {
            stored = append(entries);
        } catch (DuplicateIdException e) {
            // One publisher's id is taken: it alone fails; the others are stored without it.
            List<Pending> rest = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                if (p.entry.event().id().filter(e.id()::equals).isPresent()) {
                    settle(p, null, e);
                } else {
                    rest.add(p);
                }
            }
            if (rest.size() == batch.size()) {
                rest.forEach(p -> settle(p, null, e)); // a store naming an id no entry has: never loop
                return List.of();
            }
            return rest.isEmpty() ? List.of() : store(rest);
        } catch (RuntimeException e) {
            if (inDoubt(e)) {
                doubt(e); // a commit whose answer was lost, or that timed out after it went through
            }
            batch.forEach(p -> settle(p, null, e));
            return List.of();
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).stored = stored.get(i);
        }
        return batch;
    }

    /** One store call, its duration told to {@link #storeCalls} whatever its outcome. */
    private List<Event> append(List<HistoryStore.Entry> entries) {
        long started = System.nanoTime();
        try {
            return store.append(entries);
        } finally {
            storeCalls.accept("append", System.nanoTime() - started);
        }
    }

    private static void settle(Pending p, Event stored, RuntimeException failure) {
        p.stored = stored;
        p.failure = failure;
        p.settled = true;
        if (p.publisher != Thread.currentThread()) {
            LockSupport.unpark(p.publisher);
        }
    }

    /**
     * Refuses new publishes ({@link HubClosedException}) and waits, at most {@code timeoutMillis},
     * for those already accepted to be stored and handed on. Past that, the events no batch took yet
     * are withdrawn: their publishers get {@link HubClosedException} at once (nothing of them stored)
     * instead of holding their threads (an HTTP server's workers) to their own deadline; those in the
     * batch being stored wait for its outcome, which the store's timeouts bound.
     *
     * @return true if none is left
     */
    boolean close(long timeoutMillis) {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        if (lanes != null) {
            for (PublishPipeline lane : lanes) {
                lane.closed = true; // all refuse at once, then each waits for what it accepted
            }
            boolean none = true;
            for (PublishPipeline lane : lanes) {
                none &= lane.close(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            return none;
        }
        synchronized (drained) {
            while (accepted.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (accepted.get() == 0) {
                return true;
            }
        }
        for (Pending p; (p = waiting.poll()) != null; ) {
            if (STATE.compareAndSet(p, WAITING, WITHDRAWN)) {
                settle(p, null, new HubClosedException(name + " (it stopped before " + storeName()
                        + " took the event; the event was not stored)"));
            }
        }
        return false;
    }
}
