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
 * <p>Order: one batch is stored and handed on at a time, so the order of {@code acknowledged} calls
 * is the order of ids, which fan-out keeps. A publisher returns only once its event is stored and
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
        accepted.incrementAndGet(); // before the check: close() then waits for this publish
        boolean interrupted = false;
        try {
            if (closed) {
                throw new HubClosedException(name);
            }
            waiting.add(mine);
            while (!mine.settled) {
                if (storing.tryLock()) {
                    try {
                        storeWaiting(mine);
                    } finally {
                        storing.unlock();
                    }
                    // Whoever waits now arrived during that batch: it stores the next one.
                    Pending next = waiting.peek();
                    if (next != null) {
                        LockSupport.unpark(next.publisher);
                    }
                } else if (!spinUntilSettledOrFree(mine)) {
                    LockSupport.parkNanos(this, RECHECK_NANOS);
                    // The event may be on its way already: wait for its outcome, keep the interrupt.
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (accepted.decrementAndGet() == 0 && closed) {
                synchronized (drained) {
                    drained.notifyAll();
                }
            }
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.stored;
    }

    /**
     * A fast store (memory) settles a batch in about a microsecond: waiting that long beats parking,
     * which costs two context switches per publish.
     *
     * @return true if {@code mine} was settled or the store became free meanwhile
     */
    private boolean spinUntilSettledOrFree(Pending mine) {
        for (int i = 0; i < SPINS; i++) {
            if (mine.settled || !storing.isLocked()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Stores what waits, batch after batch, until {@code mine} is settled; under the storing lock. */
    private void storeWaiting(Pending mine) {
        while (!mine.settled) {
            List<Pending> batch = new ArrayList<>();
            Pending p;
            while (batch.size() < MAX_BATCH && (p = waiting.poll()) != null) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                return; // settled meanwhile by the previous holder of the lock
            }
            commit(batch);
        }
    }

    private void commit(List<Pending> batch) {
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
            } else if (!rest.isEmpty()) {
                commit(rest);
            }
            return;
        } catch (RuntimeException e) {
            batch.forEach(p -> settle(p, null, e));
            return;
        }
        List<Published> published = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Event e = stored.get(i);
            published.add(new Published(batch.get(i).entry.topics(), e, batch.get(i).value, e.id().orElseThrow()));
        }
        acknowledged.accept(published);
        for (int i = 0; i < batch.size(); i++) {
            settle(batch.get(i), stored.get(i), null);
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
