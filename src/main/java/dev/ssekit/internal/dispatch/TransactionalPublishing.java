package dev.ssekit.internal.dispatch;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.HubClosedException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.TransactionalHistoryStore;
import dev.ssekit.internal.tx.Transactions;

import java.util.concurrent.CancellationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes that follow the caller's JTA transaction: an event published while a transaction runs
 * is held (or, on a store that joins the transaction, written to its outbox) and enters history and
 * reaches subscribers only after the commit; a rollback drops it.
 *
 * <p>Each transaction's events are kept in publish order. After commits, one thread of this
 * registry's takes the committed transactions in the order the transaction manager reported them
 * and stores them through the {@link PublishPipeline}, so they are fanned out in id order with
 * every other event. On an outbox store that thread runs the store's relay instead, at start (what
 * a crash left), after each commit, and every {@link #RELAY_INTERVAL_SECONDS} s (what another node
 * left).
 */
final class TransactionalPublishing implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransactionalPublishing.class.getName());
    /** How often the outbox is relayed without a commit here: rows another node's crash left. */
    static final long RELAY_INTERVAL_SECONDS = 5;
    /** Ids given at the call to events that have none, so that the caller learns the id at once. */
    private static final String ID_PREFIX = "urn:uuid:";

    /** What a publish returned: the event's id, and a stage that completes once it is stored. */
    record Accepted(String id, CompletableFuture<String> stored) {
    }

    /** One event held until its transaction commits. */
    private record Held(HistoryStore.Entry entry, Object value, CompletableFuture<String> stored) {
    }

    /** The events one transaction published here, in publish order. */
    private static final class TxEvents {
        final List<Held> held = new ArrayList<>();
    }

    private final String name;
    private final Transactions transactions;
    private final HistoryStore store;
    private final TransactionalHistoryStore outbox;
    /** How many dropped ids are remembered for the stages of relays still to come. */
    private static final int DROPPED_REMEMBERED = 10_000;
    // Ids a relay here dropped as taken, until the relay of their own transaction reports them: a
    // periodic relay may move (or drop) a transaction's rows before its after-commit relay runs.
    private final Map<String, Boolean> dropped = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > DROPPED_REMEMBERED;
        }
    };
    private final PublishPipeline pipeline;
    private final ObjLongConsumer<Set<String>> countPublished;
    private final ConcurrentLinkedQueue<TxEvents> committed = new ConcurrentLinkedQueue<>();
    private final Object resourceKey = new Object();
    private volatile ScheduledThreadPoolExecutor worker;
    private volatile boolean closed;

    /**
     * @param countPublished counts one published event on each of its topics, with the nanoseconds
     *                       its store call took
     */
    TransactionalPublishing(String name, Transactions transactions, HistoryStore store, PublishPipeline pipeline,
                            ObjLongConsumer<Set<String>> countPublished) {
        this.name = name;
        this.transactions = transactions;
        this.store = store;
        this.outbox = store instanceof TransactionalHistoryStore t && t.joinsTransactions() ? t : null;
        this.pipeline = pipeline;
        this.countPublished = countPublished;
        if (outbox != null) {
            // What a crash left in the outbox goes out first; then whatever another node leaves.
            ScheduledThreadPoolExecutor w = worker();
            w.execute(this::relay);
            w.scheduleWithFixedDelay(this::relay, RELAY_INTERVAL_SECONDS, RELAY_INTERVAL_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** @return the calling thread's transaction, if it is one that publishes must follow */
    Transactions.Tx current() {
        return transactions.current();
    }

    /**
     * Holds an event until {@code tx} ends: stored and fanned out after a commit, dropped on a
     * rollback. On an outbox store the event is written now, in the transaction.
     *
     * @throws dev.ssekit.DuplicateIdException  on an outbox store, if the id is already in history
     * @throws HistoryStoreException            on an outbox store, if the write failed
     */
    Accepted hold(Transactions.Tx tx, Set<String> topics, Event event, Object value) {
        if (closed) {
            throw new HubClosedException(name);
        }
        Event withId = event.id().isPresent() ? event : event.withId(ID_PREFIX + UUID.randomUUID());
        String id = withId.id().orElseThrow();
        CompletableFuture<String> stored = new CompletableFuture<>();
        if (tx.rollbackOnly()) {
            stored.completeExceptionally(rolledBack(id));
            return new Accepted(id, stored);
        }
        HistoryStore.Entry entry = new HistoryStore.Entry(topics, withId);
        if (outbox != null) {
            outbox.appendInTransaction(List.of(entry));
        }
        TxEvents events = (TxEvents) tx.resource(resourceKey);
        if (events == null) {
            TxEvents mine = new TxEvents();
            tx.afterCompletion(commit -> completed(mine, commit));
            tx.putResource(resourceKey, mine);
            events = mine;
        }
        events.held.add(new Held(entry, value, stored));
        return new Accepted(id, stored);
    }

    private static CancellationException rolledBack(String id) {
        return new CancellationException("event " + id + " was not published: its transaction rolled back");
    }

    /** On the thread that completed the transaction: queue a commit, drop a rollback. */
    private void completed(TxEvents events, boolean commit) {
        if (!commit) {
            events.held.forEach(h -> h.stored.completeExceptionally(rolledBack(h.entry.event().id().orElseThrow())));
            return;
        }
        committed.add(events);
        try {
            worker().execute(this::publishCommitted);
        } catch (RejectedExecutionException e) {
            HubClosedException closedNow = new HubClosedException(name);
            committed.remove(events);
            events.held.forEach(h -> h.stored.completeExceptionally(closedNow));
            if (outbox != null) {
                LOG.warning("ssekit: " + name + " closed as a transaction committed: its events stay in the outbox "
                        + "until the next relay");
            }
        }
    }

    /** On the worker: stores (or relays) every transaction committed so far, in commit order. */
    private void publishCommitted() {
        List<TxEvents> batch = new ArrayList<>();
        TxEvents e;
        while ((e = committed.poll()) != null) {
            batch.add(e);
        }
        if (batch.isEmpty()) {
            return; // an earlier run took them
        }
        List<Held> held = new ArrayList<>();
        batch.forEach(t -> held.addAll(t.held));
        if (outbox != null) {
            relayFor(held);
        } else {
            store(held);
        }
    }

    private void store(List<Held> held) {
        List<HistoryStore.Entry> entries = new ArrayList<>(held.size());
        List<Object> values = new ArrayList<>(held.size());
        held.forEach(h -> {
            entries.add(h.entry);
            values.add(h.value);
        });
        List<PublishPipeline.Outcome> outcomes;
        long started = System.nanoTime();
        try {
            outcomes = pipeline.publishAll(entries, values);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: " + held.size() + " events committed in transactions were not published ("
                    + e.getMessage() + ")", e);
            held.forEach(h -> h.stored.completeExceptionally(e));
            return;
        }
        for (int i = 0; i < held.size(); i++) {
            PublishPipeline.Outcome o = outcomes.get(i);
            if (o.failure() != null) {
                LOG.warning("ssekit: an event committed in a transaction was not published: " + o.failure().getMessage());
                held.get(i).stored.completeExceptionally(o.failure());
            } else {
                countPublished.accept(held.get(i).entry.topics(), System.nanoTime() - started);
                held.get(i).stored.complete(o.stored().id().orElseThrow());
            }
        }
    }

    /**
     * Relays the outbox; the held events' transactions committed before it started, so each of them
     * is in history afterwards, moved by this relay or an earlier one (here or on another node), or
     * was dropped by a relay here because its id had been taken meanwhile: its stage fails then. If
     * a relay call fails, the events an earlier call moved were handed on and their stages complete;
     * the others fail saying that the event is committed and enters history with a later relay.
     */
    private void relayFor(List<Held> held) {
        Set<String> mine = new java.util.HashSet<>();
        held.forEach(h -> mine.add(h.entry.event().id().orElseThrow()));
        Set<String> moved = new java.util.HashSet<>(); // of the held ones only: a backlog's ids are not kept
        try {
            relayNow(id -> {
                if (mine.contains(id)) {
                    moved.add(id);
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: relaying the outbox failed (" + e.getMessage() + "); the committed "
                    + "events it did not move stay there until the next relay, in " + RELAY_INTERVAL_SECONDS + " s", e);
            HistoryStoreException pending = new HistoryStoreException("relaying the outbox failed (" + e.getMessage()
                    + "): the event is committed and enters history once, with the next relay (or was relayed "
                    + "already, here or on another node)", e);
            for (Held h : held) {
                String id = h.entry.event().id().orElseThrow();
                if (moved.contains(id)) {
                    h.stored.complete(id);
                } else {
                    h.stored.completeExceptionally(pending);
                }
            }
            return;
        }
        for (Held h : held) {
            String id = h.entry.event().id().orElseThrow();
            if (forgetDropped(id)) {
                h.stored.completeExceptionally(new DuplicateIdException(id));
            } else {
                h.stored.complete(id);
            }
        }
    }

    /**
     * Relays until the outbox is empty, one store call of a bounded batch at a time, each handed on
     * through the pipeline before the next: publishers take turns with it, and what a call moved is
     * handed on even if a later call fails.
     *
     * @param moved told the id of each event moved
     */
    private void relayNow(java.util.function.Consumer<String> moved) {
        boolean[] more = {true};
        while (more[0]) {
            long started = System.nanoTime();
            Set<String> droppedNow = new java.util.HashSet<>();
            List<HistoryStore.Entry> batch = pipeline.relay(() -> {
                TransactionalHistoryStore.Relayed relayed = outbox.relay();
                droppedNow.addAll(relayed.dropped());
                more[0] = relayed.more();
                return relayed.moved();
            });
            synchronized (dropped) {
                droppedNow.forEach(id -> dropped.put(id, Boolean.TRUE));
            }
            long took = System.nanoTime() - started;
            for (HistoryStore.Entry e : batch) {
                countPublished.accept(e.topics(), took);
                moved.accept(e.event().id().orElseThrow());
            }
        }
    }

    private boolean forgetDropped(String id) {
        synchronized (dropped) {
            return dropped.remove(id) != null;
        }
    }

    /** The start-up and periodic relay: failures are logged and retried on the next tick. */
    private void relay() {
        try {
            relayNow(id -> {
            });
        } catch (HubClosedException e) {
            LOG.log(Level.FINE, "ssekit: relay skipped, " + name + " is closing", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: relaying the outbox failed (" + e.getMessage() + "); retrying in "
                    + RELAY_INTERVAL_SECONDS + " s", e);
        }
    }

    private ScheduledThreadPoolExecutor worker() {
        ScheduledThreadPoolExecutor w = worker;
        if (w != null) {
            return w;
        }
        synchronized (this) {
            if (worker == null) {
                if (closed) {
                    throw new RejectedExecutionException(name + " is closed");
                }
                ScheduledThreadPoolExecutor made = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "ssekit-after-commit-" + name);
                    t.setDaemon(true);
                    return t;
                });
                made.setRemoveOnCancelPolicy(true);
                worker = made;
            }
            return worker;
        }
    }

    /**
     * Publishes what was committed before this call, then stops the thread; transactions that
     * commit later fail their stages with {@link HubClosedException} (an outbox keeps their events
     * for the next start). Call before the pipeline closes.
     */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor w;
        synchronized (this) {
            closed = true;
            w = worker;
        }
        if (w == null) {
            return;
        }
        w.shutdown(); // queued publishes still run; the periodic relay stops
        try {
            if (!w.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("ssekit: events committed in transactions still publishing as " + name + " closes");
                w.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            w.shutdownNow();
        }
    }
}
