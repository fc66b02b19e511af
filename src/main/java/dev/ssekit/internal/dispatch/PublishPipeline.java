package dev.ssekit.internal.dispatch;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HubClosedException;
import dev.ssekit.history.HistoryStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
 */
final class PublishPipeline {
    /** Bounds one store call, so that a batch's latency stays bounded under any load. */
    static final int MAX_BATCH = 256;
    /** A waiting publisher looks again this often even if nobody woke it: a bound, not a poll loop. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Busy checks before a waiting publisher parks. */
    private static final int SPINS = 256;

    private final String name;
    private final HistoryStore store;
    private final Consumer<List<Published>> acknowledged;
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final ReentrantLock storing = new ReentrantLock();
    private final ReentrantLock handingOn = new ReentrantLock();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Object drained = new Object();
    private volatile boolean closed;

    /** One publisher's request and, once settled, its outcome. */
    private static final class Pending {
        final HistoryStore.Entry entry;
        final Object value;
        final Thread publisher = Thread.currentThread();
        Event stored;
        RuntimeException failure;
        volatile boolean taken; // in a batch being stored: its outcome comes, it need not store
        volatile boolean settled; // written last: it publishes stored and failure

        Pending(HistoryStore.Entry entry, Object value) {
            this.entry = entry;
            this.value = value;
        }
    }

    /**
     * @param name         names the registry in messages
     * @param store        where events are appended
     * @param acknowledged takes each stored batch, in order, before its publishers return; it must
     *                     not throw
     */
    PublishPipeline(String name, HistoryStore store, Consumer<List<Published>> acknowledged) {
        this.name = name;
        this.store = store;
        this.acknowledged = acknowledged;
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
        Pending mine = new Pending(new HistoryStore.Entry(topics, event), value);
        run(List.of(mine));
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.stored;
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
        List<Pending> mine = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            mine.add(new Pending(entries.get(i), values.get(i)));
        }
        run(mine);
        List<Outcome> outcomes = new ArrayList<>(mine.size());
        for (Pending p : mine) {
            outcomes.add(new Outcome(p.stored, p.failure));
        }
        return outcomes;
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
        accepted.incrementAndGet();
        try {
            if (closed) {
                throw new HubClosedException(name);
            }
            List<HistoryStore.Entry> moved;
            storing.lock();
            try {
                moved = relay.get();
                if (!moved.isEmpty()) {
                    handingOn.lock(); // before the store is let go: hand-on keeps id order
                }
            } finally {
                storing.unlock();
            }
            Pending next = waiting.peek();
            if (next != null) {
                LockSupport.unpark(next.publisher);
            }
            if (!moved.isEmpty()) {
                try {
                    List<Published> published = new ArrayList<>(moved.size());
                    for (HistoryStore.Entry e : moved) {
                        published.add(new Published(e.topics(), e.event(), null, e.event().id().orElseThrow()));
                    }
                    acknowledged.accept(published);
                } finally {
                    handingOn.unlock();
                }
            }
            return moved;
        } finally {
            release();
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
            waiting.addAll(mine);
            for (Pending p : mine) {
                interrupted |= await(p);
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

    /** @return true if the thread was interrupted meanwhile */
    private boolean await(Pending mine) {
        boolean interrupted = false;
        while (!mine.settled) {
            if (!mine.taken && storing.tryLock()) {
                storeNextBatch();
            } else if (!spinUntilSettledOrFree(mine)) {
                LockSupport.parkNanos(this, RECHECK_NANOS);
                // The event may be on its way already: wait for its outcome, keep the interrupt.
                interrupted |= Thread.interrupted();
            }
        }
        return interrupted;
    }

    /**
     * A fast store (memory) settles a batch in about a microsecond: waiting that long beats parking,
     * which costs two context switches per publish.
     *
     * @return true if {@code mine} was settled or the store became free meanwhile
     */
    private boolean spinUntilSettledOrFree(Pending mine) {
        for (int i = 0; i < SPINS; i++) {
            if (mine.settled || (!mine.taken && !storing.isLocked())) {
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
        List<Pending> stored;
        try {
            Pending p;
            while (batch.size() < MAX_BATCH && (p = waiting.poll()) != null) {
                p.taken = true;
                batch.add(p);
            }
            stored = batch.isEmpty() ? List.of() : store(batch);
            if (!stored.isEmpty()) {
                handingOn.lock();
            }
        } finally {
            storing.unlock();
        }
        // Whoever waits now arrived during that batch: it stores the next one while this one is handed on.
        Pending next = waiting.peek();
        if (next != null) {
            LockSupport.unpark(next.publisher);
        }
        if (stored.isEmpty()) {
            return;
        }
        try {
            List<Published> published = new ArrayList<>(stored.size());
            for (Pending p : stored) {
                published.add(new Published(p.entry.topics(), p.stored, p.value, p.stored.id().orElseThrow()));
            }
            acknowledged.accept(published);
        } finally {
            handingOn.unlock();
        }
        for (Pending p : stored) {
            settle(p, p.stored, null);
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
            stored = store.append(entries);
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
            batch.forEach(p -> settle(p, null, e));
            return List.of();
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).stored = stored.get(i);
        }
        return batch;
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
     * for those already accepted to be stored and handed on.
     *
     * @return true if none is left
     */
    boolean close(long timeoutMillis) {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (drained) {
            while (accepted.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drained, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
