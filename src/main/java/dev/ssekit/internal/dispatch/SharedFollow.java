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
    private final Object handOffs = new Object();
    private boolean closed; // under handOffs
    // The thread that hands events on: a publish from there (a subscriber listener's) must not wait for it.
    private volatile Thread handingOn;

    /**
     * @param deliver   takes each followed event, in order
     * @param missed    run when the follow lost events: clients must catch up by replay
     * @param timesLag  whether to keep the accept times {@link #acceptedHere} is given, for the
     *                  delivery lag; false where nothing reports it
     */
    SharedFollow(SharedHistoryStore store, Routes routes, Consumer<Published> deliver, Runnable missed,
                 boolean timesLag) {
        this.store = store;
        this.routes = routes;
        this.acceptedHere = !timesLag ? null : new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > MAX_ACCEPTED;
            }
        };
        this.follower = store.follow(new SharedHistoryStore.AppendListener() {
            @Override
            public void appended(Set<String> topics, Event event, String position) {
                handingOn = Thread.currentThread();
                deliver.accept(new Published(topics, event, null, position, takeAccepted(event)));
                handedOn(event);
            }

            @Override
            public void missedEvents() {
                LOG.warning("ssekit: this node missed events the shared store no longer holds; "
                        + "ending every stream within the reconnect window so that clients catch up by replay");
                missed.run();
            }
        });
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
            waiter = waiting.remove(id);
        }
        if (waiter != null) {
            waiter.countDown();
        }
    }

    /**
     * Waits until the follow has handed on the event {@code id}, which this node stored: queued it to
     * this node's subscribers. A publish on a shared store returns only then, as on a store of one
     * node, and for the same reason: what a node acknowledged is in its streams' queues, so a stop
     * ends no stream without it, and the events acknowledged but not yet handed on (what a stop must
     * still fan out) are at most one per publish in flight. Without this wait a node whose fan-out
     * was slower than its publishers (10,000 streams, four publishers) acknowledged events
     * seconds ahead of its follow, and a stop could not catch up within its budget (bench run AA).
     *
     * @param deadlineNanos the {@link System#nanoTime()} reading past which it returns anyway (the
     *                      event is stored; the follow is lost or far behind)
     * @return true if the event was handed on; false at the deadline, once the follow closed, or
     *         on the follow's own thread (a subscriber listener publishing), which would wait for itself
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
        follower.close();
        List<java.util.concurrent.CountDownLatch> left;
        synchronized (handOffs) {
            closed = true;
            left = List.copyOf(waiting.values());
            waiting.clear();
        }
        left.forEach(java.util.concurrent.CountDownLatch::countDown);
    }
}
