package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.HubClosedException;
import dev.ssekit.history.HistoryStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Appends published events to history in batches (group commit) and hands each acknowledged batch
 * on in id order.
 *
 * <p>Publishers that arrive while a batch is being stored wait, and the next batch takes all of
 * them in one store call: one transaction and one statement on JDBC, one round trip on Redis. No
 * publisher waits for a round trip it could have shared. The first waiting publisher stores the
 * batch on its own thread (a leader), so an uncontended publish costs no thread hand-off.
 *
 * <p>Order: one batch is stored and handed on at a time, so the order of {@code acknowledged} calls
 * is the order of ids, which fan-out keeps. A publisher returns only once its event is stored and
 * handed on; a failure of the store fails every publisher of that batch, and none of its events
 * reaches a subscriber.
 */
final class PublishPipeline {
    /** Bounds one store call, so that a leader's latency stays bounded under any load. */
    static final int MAX_BATCH = 256;

    private final String name;
    private final HistoryStore store;
    private final Consumer<List<Published>> acknowledged;
    private final Object lock = new Object();
    // Guarded by lock.
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean leading;
    private boolean closed;

    /** One publisher's request and, once settled, its outcome. */
    private static final class Pending {
        final HistoryStore.Entry entry;
        final Object value;
        Event stored;
        RuntimeException failure;
        boolean settled;

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
     * @throws dev.ssekit.DuplicateIdException     if its id is already used
     * @throws dev.ssekit.HistoryStoreException    if the store failed; the event was not acknowledged
     */
    Event publish(Set<String> topics, Event event, Object value) {
        Pending mine = new Pending(new HistoryStore.Entry(topics, event), value);
        synchronized (lock) {
            if (closed) {
                throw new HubClosedException(name);
            }
            waiting.add(mine);
            boolean interrupted = false;
            while (leading && !mine.settled) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the event may already be on its way: wait for its outcome
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (mine.settled) {
                return outcome(mine);
            }
            leading = true;
        }
        try {
            while (!mine.settled) {
                List<Pending> batch;
                synchronized (lock) {
                    batch = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
                    while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
                        batch.add(waiting.poll());
                    }
                }
                commit(batch);
            }
        } finally {
            synchronized (lock) {
                leading = false;
                lock.notifyAll();
            }
        }
        return outcome(mine);
    }

    private static Event outcome(Pending p) {
        if (p.failure != null) {
            throw p.failure;
        }
        return p.stored;
    }

    private void commit(List<Pending> batch) {
        List<Event> stored;
        try {
            stored = store.append(batch.stream().map(p -> p.entry).toList());
        } catch (dev.ssekit.DuplicateIdException e) {
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
                settleAll(batch, e); // a store naming an id no entry has: fail them all, never loop
            } else if (!rest.isEmpty()) {
                commit(rest);
            }
            return;
        } catch (RuntimeException e) {
            settleAll(batch, e);
            return;
        }
        List<Published> published = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            Event e = stored.get(i);
            published.add(new Published(p.entry.topics(), e, p.value, e.id().orElseThrow()));
        }
        acknowledged.accept(published);
        synchronized (lock) {
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                p.stored = stored.get(i);
                p.settled = true;
            }
            lock.notifyAll();
        }
    }

    private void settleAll(List<Pending> batch, RuntimeException failure) {
        synchronized (lock) {
            for (Pending p : batch) {
                p.failure = failure;
                p.settled = true;
            }
            lock.notifyAll();
        }
    }

    private void settle(Pending p, Event stored, RuntimeException failure) {
        synchronized (lock) {
            p.stored = stored;
            p.failure = failure;
            p.settled = true;
            lock.notifyAll();
        }
    }

    /**
     * Refuses new publishes ({@link HubClosedException}) and waits, at most {@code timeoutMillis},
     * for those already accepted to be stored and handed on.
     *
     * @return true if none is left
     */
    boolean close(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            closed = true;
            while (leading || !waiting.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }
}
