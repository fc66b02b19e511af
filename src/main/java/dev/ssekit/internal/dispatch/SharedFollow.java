package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.SseKitException;
import dev.ssekit.history.SharedHistoryStore;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * This node's follow of a {@link SharedHistoryStore}: every event any node appends reaches this
 * node's subscribers through it, in the store's order, the events this node published included.
 * The store's follow queues what it reads (a bounded queue); a thread of this class fans it out, in
 * batches of what waits ({@link #fanOutLoop}), and lets go the publishes of this node waiting for
 * their events ({@link #awaitHandedOn}).
 */
final class SharedFollow implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedFollow.class.getName());
    /** Accept times kept for events not followed yet: more than a store call's batch, a few MB at most. */
    private static final int MAX_ACCEPTED = 65_536;
    /**
     * Ids of events handed on that are kept for publishes that begin to wait after the follow handed
     * their event on: a publish looks within a moment of its store call, so far more than enough.
     */
    private static final int HANDED_ON_KEPT = 1_024;
    /** Followed events queued for the fan-out thread at most: what the follow may read ahead of it. */
    private static final int HANDOFF_QUEUE = 512;
    /** Events one pass of the fan-out takes at most. */
    private static final int HANDOFF_BATCH = 512;
    /**
     * This node's acknowledged events that the follow may not have handed on yet, at most: one pass
     * of the fan-out. Past it a publish waits for its own event ({@link #awaitHandedOn}).
     */
    static final int MAX_AHEAD = HANDOFF_BATCH;
    /**
     * The longest an acknowledged event may wait for the follow before publishes wait too, as a
     * share of the shutdown timeout: a tenth, so that what a stop must still fan out is what the
     * fan-out did in that time, well within the stop's catch-up (40 %) however many streams there are.
     */
    static final int LEAD_SHARE_OF_SHUTDOWN = 10;
    /** Queued in the followed order where the follow lost events. */
    private static final Object MISSED = new Object();

    private final SharedHistoryStore store;
    private final Routes routes;
    private final SharedHistoryStore.Follower follower;
    /**
     * The accept times of events this node publishes, by id, until the follow hands them on: their
     * delivery lag counts from there, as on a store of one node. Other nodes' events have none.
     * Bounded: an event the follow never sees (its store call failed) is forgotten past the bound.
     * Null when nothing reports the lag (no metrics binding): no note per publish, no look-up per
     * followed event.
     */
    private final Map<String, Long> acceptedHere;
    /**
     * Publishes of this node waiting for the follow to hand their event on ({@link #awaitHandedOn}), by
     * id, and the ids handed on lately, so that a publish whose event the follow handed on before it
     * began to wait does not wait for it. Under {@link #handOffs}.
     */
    private final Map<String, java.util.concurrent.CountDownLatch> waiting = new java.util.HashMap<>();
    private final Map<String, Boolean> handedOnLately = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > HANDED_ON_KEPT;
        }
    };
    /**
     * This node's events acknowledged before the follow handed them on, by id, with when they were
     * acknowledged ({@link System#nanoTime()}), in that order; under {@link #handOffs}. One the follow
     * never hands on (lost in a failover, or the follow lost) is forgotten {@link #forgetAfterNanos}
     * after it was acknowledged.
     */
    private final LinkedHashMap<String, Long> ahead = new LinkedHashMap<>();
    /** The longest the oldest of {@link #ahead} may wait before publishes wait for their own events. */
    private final long maxLeadNanos;
    /**
     * How long an event of {@link #ahead} counts against the lead: a publish's own wait (the publish
     * timeout), a fixed span, so that a slow store call cannot make the lead forget its backlog.
     */
    private final long forgetAfterNanos;
    private final Object handOffs = new Object();
    private boolean closed; // under handOffs
    // The thread that hands events on: a publish from there (a subscriber listener's) must not wait for it.
    private volatile Thread handingOn;
    private final Consumer<List<Published>> deliver;
    private final Runnable missed;
    private final java.util.concurrent.BlockingQueue<Object> handOffQueue =
            new java.util.concurrent.ArrayBlockingQueue<>(HANDOFF_QUEUE);
    private final Thread fanning;
    private volatile boolean closing;

    /**
     * @param deliver   takes the followed events, in order, several at a time when several are waiting
     * @param missed    run when the follow lost events: clients must catch up by replay
     * @param timesLag  whether to keep the accept times {@link #acceptedHere} is given, for the
     *                  delivery lag; false where nothing reports it
     * @param maxLead   the longest an acknowledged event may wait for the follow before publishes
     *                  wait for their own events ({@link #awaitHandedOn})
     * @param forgetAfter how long an acknowledged event counts against the lead at most: the
     *                  publish timeout, a publish's own longest wait for its event
     */
    SharedFollow(SharedHistoryStore store, Routes routes, Consumer<List<Published>> deliver, Runnable missed,
                 boolean timesLag, Duration maxLead, Duration forgetAfter) {
        this.store = store;
        this.maxLeadNanos = maxLead.toNanos();
        this.forgetAfterNanos = forgetAfter.toNanos();
        this.routes = routes;
        this.deliver = deliver;
        this.missed = missed;
        this.acceptedHere = !timesLag ? null : new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > MAX_ACCEPTED;
            }
        };
        // Before the follow: events may come at once.
        this.fanning = new Thread(this::fanOutLoop, "ssekit-follow-fan-out");
        fanning.setDaemon(true);
        handingOn = fanning;
        fanning.start();
        try {
            this.follower = store.follow(new SharedHistoryStore.AppendListener() {
                @Override
                public void appended(Set<String> topics, Event event, String position) {
                    handOn(new Published(topics, event, null, position, takeAccepted(event)));
                }

                @Override
                public void missedEvents() {
                    handOn(MISSED);
                }
            });
        } catch (RuntimeException e) {
            stopFanning();
            throw e;
        }
    }

    /**
     * Queues a followed event (or {@link #MISSED}) for the fan-out thread, waiting while the queue is
     * full: a follow never runs further ahead of the fan-out than the queue. Dropped once closing.
     */
    private void handOn(Object item) {
        try {
            while (!closing) {
                if (handOffQueue.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The fan-out thread: takes what the follow queued and fans it out in batches, as many events as
     * are waiting at once (up to {@link #HANDOFF_BATCH}), each batch in one pass of the fan-out. Why
     * batches: a publish waits for its event to be handed on ({@link #awaitHandedOn}), so the fan-out's
     * cost per event is the node's publish rate; one pass for many events puts them on each stream's
     * queue together, and its writer writes them together. Why a thread of its own: the follow reads
     * the next events from the store while these are fanned out.
     */
    private void fanOutLoop() {
        List<Object> taken = new java.util.ArrayList<>();
        List<Published> batch = new java.util.ArrayList<>();
        while (!closing) {
            try {
                taken.add(handOffQueue.take());
            } catch (InterruptedException e) {
                return; // closing
            }
            handOffQueue.drainTo(taken, HANDOFF_BATCH - 1);
            for (Object item : taken) {
                if (item == MISSED) {
                    deliverAll(batch);
                    LOG.warning("ssekit: this node missed events the shared store no longer holds; "
                            + "ending every stream within the reconnect window so that clients catch up by replay");
                    missed.run();
                } else {
                    batch.add((Published) item);
                }
            }
            deliverAll(batch);
            taken.clear();
        }
    }

    /** Fans {@code batch} out in one pass, lets go the publishes waiting for its events, and empties it. */
    private void deliverAll(List<Published> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            deliver.accept(List.copyOf(batch));
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.SEVERE, "ssekit: fan-out of followed events failed", e);
        }
        for (Published p : batch) {
            handedOn(p.event());
        }
        batch.clear();
    }

    private void stopFanning() {
        closing = true;
        fanning.interrupt();
        try {
            fanning.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Notes that this node accepted the event {@code id} at {@code nanos}, before its store call.
     * Given to the publish pipeline only when {@code timesLag}.
     */
    void acceptedHere(String id, long nanos) {
        synchronized (acceptedHere) {
            acceptedHere.put(id, nanos);
        }
    }

    /** @return when this node accepted {@code event}, forgetting it; 0 if unknown or not kept */
    private long takeAccepted(Event event) {
        if (acceptedHere == null) {
            return 0;
        }
        String id = event.id().orElse(null);
        if (id == null) {
            return 0;
        }
        Long accepted;
        synchronized (acceptedHere) {
            accepted = acceptedHere.remove(id);
        }
        return accepted == null ? 0 : accepted;
    }

    /** Lets go the publish waiting for {@code event}, if any, now that its subscribers' queues have it. */
    private void handedOn(Event event) {
        String id = event.id().orElse(null);
        if (id == null) {
            return;
        }
        java.util.concurrent.CountDownLatch waiter;
        synchronized (handOffs) {
            handedOnLately.put(id, Boolean.TRUE);
            ahead.remove(id);
            waiter = waiting.remove(id);
        }
        if (waiter != null) {
            waiter.countDown();
        }
    }

    /**
     * Returns once the follow has handed on the event {@code id}, which this node stored (queued it
     * to this node's subscribers), or at once while the follow is close behind: fewer than
     * {@link #MAX_AHEAD} of this node's acknowledged events wait for it, the oldest of them for less
     * than the lead (a tenth of the shutdown timeout). So what a stop must still fan out is bounded by
     * what the fan-out does in that time (plus one event per publish in flight), and a follow that
     * keeps up costs a publish nothing. Without the bound a node whose fan-out was slower than its
     * publishers (10,000 streams, four publishers) acknowledged events seconds ahead of its follow,
     * and a stop could not catch up within its budget (bench run AA); with a wait for every event, a
     * publish cost the follow's round trip to the store (publishes/s on three Redis partitions a
     * quarter, bench run AD).
     *
     * @param deadlineNanos the {@link System#nanoTime()} reading past which it returns anyway (the
     *                      event is stored; the follow is lost or far behind)
     * @return true if the event was handed on or may run ahead; false at the deadline, once the
     *         follow closed, or on the follow's own thread (a subscriber listener publishing), which
     *         would wait for itself
     */
    boolean awaitHandedOn(String id, long deadlineNanos) {
        if (Thread.currentThread() == handingOn) {
            return false;
        }
        java.util.concurrent.CountDownLatch waiter;
        synchronized (handOffs) {
            if (handedOnLately.containsKey(id)) {
                return true;
            }
            if (closed) {
                return false;
            }
            long now = System.nanoTime();
            if (closeBehind(now)) {
                ahead.put(id, now);
                return true;
            }
            waiter = waiting.computeIfAbsent(id, k -> new java.util.concurrent.CountDownLatch(1));
        }
        try {
            return waiter.await(deadlineNanos - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS)
                    && !closedBeforeHandingOn(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            synchronized (handOffs) {
                waiting.remove(id, waiter);
            }
        }
    }

    /**
     * Whether the follow is close enough behind this node's acknowledged events for one more, first
     * forgetting those acknowledged longer ago than {@link #forgetAfterNanos}. Under handOffs.
     */
    private boolean closeBehind(long now) {
        var oldest = ahead.values().iterator();
        while (oldest.hasNext()) {
            long age = now - oldest.next();
            if (age < forgetAfterNanos) {
                return ahead.size() < MAX_AHEAD && age < maxLeadNanos;
            }
            oldest.remove();
        }
        return true;
    }

    /** @return whether the latch of {@code id} was let go by the close rather than by the event */
    private boolean closedBeforeHandingOn(String id) {
        synchronized (handOffs) {
            return !handedOnLately.containsKey(id);
        }
    }

    /** @return the position of the newest event before the first one followed, if any */
    String startedAfter() {
        return follower.startedAfter().orElse(null);
    }

    /**
     * Waits until this node has fanned out everything the store held when called. A client
     * reconnecting here may have seen, on another node, events this node has not followed yet: once
     * caught up, this node's high-water mark is at or past the client's last event, and the handoff
     * holds. A stopping node also catches up, so that its streams end only after every event it
     * acknowledged.
     *
     * @return the store's newest position that this node has now fanned out, or null for an empty store
     * @throws SseKitException if this node is still behind after {@code timeout}
     */
    String catchUp(Duration timeout) {
        String latest = store.latestPosition().orElse(null);
        if (latest == null) {
            return null;
        }
        try {
            if (!routes.awaitHighWater(latest, store::comparePositions, timeout.toNanos())) {
                throw new HistoryStoreException("this node is behind the shared history (at " + latest
                        + ") by more than " + timeout.toMillis() + " ms; retry, or check the connection to the store",
                        null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HistoryStoreException("interrupted while catching up with the shared history", e);
        }
        return latest;
    }

    /** Stops following; publishes still waiting for their event to be handed on return at once. */
    @Override
    public void close() {
        closing = true; // the follow, should it wait for room in the queue, stops waiting
        follower.close();
        stopFanning();
        List<java.util.concurrent.CountDownLatch> left;
        synchronized (handOffs) {
            closed = true;
            left = List.copyOf(waiting.values());
            waiting.clear();
            ahead.clear();
        }
        left.forEach(java.util.concurrent.CountDownLatch::countDown);
    }
}
