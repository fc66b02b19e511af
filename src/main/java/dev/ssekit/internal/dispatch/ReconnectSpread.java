package dev.ssekit.internal.dispatch;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.internal.conn.Connection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Ends a node's streams spread over a window when every client must catch up by replay (the node
 * missed events of a shared store, or cannot tell what a failed store call kept). Ending them all at
 * once made every client reconnect in the same second and read history together: a storm on the
 * store, on the node, and on whichever node the load balancer sent them to.
 *
 * <p>Of {@code n} streams, the {@code i}-th ends {@code i * window / n} after the call, the first at
 * once, each gracefully (its queued events are written) with a {@code retry:} hint of its own, drawn
 * between {@link #MIN_RETRY} and {@code MIN_RETRY + window}: clients that reconnect on the hint
 * arrive spread over up to twice the window, and clients that ignore it still over the window.
 */
final class ReconnectSpread implements AutoCloseable {
    /** The shortest {@code retry:} hint given: no client reconnects the instant its stream ends. */
    static final Duration MIN_RETRY = Duration.ofSeconds(1);

    /**
     * Runs tasks later. Thread-safe; a task runs once, on a thread of the scheduler's, not the
     * caller's, and tasks given the same delay run in the order given.
     */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, Duration delay);
    }

    private final String name;
    private final Duration window;
    private final Scheduler scheduler;
    private final RandomGenerator random;
    private ScheduledExecutorService executor;
    private boolean closed;

    /** Ends streams on a thread of its own, started at the first use. */
    ReconnectSpread(String name, Duration window) {
        this.name = name;
        this.window = window;
        this.scheduler = this::onOwnThread;
        this.random = RandomGenerator.getDefault();
    }

    /** For tests: a scheduler and a random source of the caller's. */
    ReconnectSpread(Duration window, Scheduler scheduler, RandomGenerator random) {
        this.name = "test";
        this.window = window;
        this.scheduler = scheduler;
        this.random = random;
    }

    /**
     * Ends {@code connections} over the window, the first at once.
     *
     * @param reason why they end, as their clients' close stages report it
     */
    void endAll(List<Connection> connections, CloseReason reason) {
        int n = connections.size();
        for (int i = 0; i < n; i++) {
            Connection c = connections.get(i);
            Duration retry = MIN_RETRY.plusMillis(random.nextLong(window.toMillis() + 1));
            Duration at = window.multipliedBy(i).dividedBy(n);
            if (at.isZero()) {
                c.close(reason, retry);
            } else {
                scheduler.schedule(() -> c.close(reason, retry), at);
            }
        }
    }

    private synchronized void onOwnThread(Runnable task, Duration delay) {
        if (closed) {
            return; // the registry closes, and ends every stream itself
        }
        if (executor == null) {
            ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "ssekit-reconnect-" + name);
                t.setDaemon(true);
                return t;
            });
            e.setRemoveOnCancelPolicy(true);
            executor = e;
        }
        executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Drops the ends not yet due: a closing registry ends every stream itself. */
    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
