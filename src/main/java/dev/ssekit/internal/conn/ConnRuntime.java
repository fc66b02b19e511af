package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that drive connections: a writer pool that drains outbound queues, and one sweeper
 * that sends heartbeats, enforces write timeouts and maximum lifetimes.
 *
 * <p>JAX-RS sinks write synchronously (Jersey blocks the calling thread on the socket), so writes
 * never run on a broadcasting thread. A connection has at most one drain task queued or running at
 * a time. A write stalled on a client that stopped reading holds a thread of its own until the
 * write timeout cuts it, never one the other connections need (see {@link WriterPool}).
 *
 * <p>The writers are one per core while every stream writes through a non-blocking output, whose
 * writes never wait for a client: more threads than cores only take turns on them, and the clients
 * of a machine that also runs its own load got their events several times later (bench run AE: p99
 * at 5,000 streams 226 ms with two writers on two cores, 728 ms with eight). Once a stream writes
 * through a blocking sink, the pool grows to its full size ({@link #defaultWriterThreads()}),
 * since such writes wait for their clients.
 */
public final class ConnRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConnRuntime.class.getName());
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * How long the sweeper may go without running, and the writers without coming back for waiting tasks,
     * before {@link #problem} calls the threads stuck: thirty sweeps at least, long past any pause
     * a loaded machine or a garbage collection makes.
     */
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String name;
    private final int writerThreads;
    private final WriterPool writers;
    private final ScheduledExecutorService sweeper;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final List<Runnable> sweepTasks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long sweepNanos = MAX_SWEEP_NANOS;
    private volatile long lastSweepNanos = System.nanoTime();
    private volatile boolean closed;

    /**
     * @param name          a name for the threads, e.g. the hub's
     * @param writerThreads how many threads write once a stream writes through a blocking sink;
     *                      until then at most {@link #nonBlockingWriterThreads()}
     * @param maxStalledWriters how many more threads clients that stopped reading may hold at once
     */
    public ConnRuntime(String name, int writerThreads, int maxStalledWriters) {
        this.name = name;
        this.writerThreads = Checks.atLeast(writerThreads, 1, "writerThreads");
        this.writers = new WriterPool(name, Math.min(writerThreads, nonBlockingWriterThreads()), maxStalledWriters);
        ScheduledThreadPoolExecutor sweep = new ScheduledThreadPoolExecutor(1, threads(name + "-sweeper"));
        sweep.setRemoveOnCancelPolicy(true);
        this.sweeper = sweep;
        sweeper.scheduleAtFixedRate(() -> writers.replaceStalled(System.nanoTime()),
                WriterPool.CHECK_NANOS, WriterPool.CHECK_NANOS, TimeUnit.NANOSECONDS);
        scheduleSweep();
    }

    /** Four writer threads per core, at least eight: a blocking sink's writes block, they do not compute. */
    public static int defaultWriterThreads() {
        return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    }

    /** One writer thread per core, at least two: non-blocking writes compute, they never wait. */
    public static int nonBlockingWriterThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Notes that a stream writes through a blocking sink: the writers grow to their full size, once.
     */
    public void blockingOutletOpened() {
        writers.growTo(writerThreads);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** @return the writer tasks run so far (a drain each, or several sharing one: {@link Drains}) */
    long writerTasks() {
        return writers.tasksRun();
    }

    /** @param owner the connection the task writes to, cut if it stalls past the cap */
    void execute(Connection owner, Runnable task) {
        writers.execute(task, owner);
    }

    boolean isClosed() {
        return closed;
    }

    void add(Connection connection, Duration heartbeat, Duration writeTimeout) {
        connections.add(connection);
        // Sweep often enough that every idle connection is written within one heartbeat interval
        // and a stalled write is cut soon after its timeout.
        long wanted = Math.min(heartbeat.toNanos() / 3, writeTimeout.toNanos()) / 4;
        long clamped = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, wanted));
        if (clamped < sweepNanos) {
            sweepNanos = clamped;
        }
    }

    void remove(Connection connection) {
        connections.remove(connection);
    }

    /** @return the period between two sweeps, in nanoseconds */
    long sweepNanos() {
        return sweepNanos;
    }

    /** Runs {@code task} on every sweep (at least once a second), on the sweeper thread. */
    public void onSweep(Runnable task) {
        sweepTasks.add(task);
    }

    /** @return the writer threads running now, those held by stalled clients included */
    public int writerThreads() {
        return writers.threads();
    }

    /** @return the writer threads held now by a client that stopped reading */
    public int stalledWriters() {
        return writers.stalled();
    }

    /** @return the clients cut because more than the cap held a writer thread at once */
    public long stalledCuts() {
        return writers.stalledCuts();
    }

    /** @return how many open connections this runtime drives */
    public int connections() {
        return connections.size();
    }

    private void scheduleSweep() {
        if (closed) {
            return;
        }
        sweeper.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        lastSweepNanos = now;
        try {
            for (Connection c : connections) {
                c.sweep(now);
            }
            sweepTasks.forEach(Runnable::run);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit sweep failed; it runs again on the next tick", e);
        } finally {
            scheduleSweep();
        }
    }

    /**
     * What a liveness probe asks of these threads.
     *
     * @param now {@link System#nanoTime()} now
     * @return empty while the sweeper (heartbeats, write timeouts) runs and the writers take what
     *         waits for them; otherwise what is stopped or stuck, and for how long
     */
    public java.util.Optional<String> problem(long now) {
        if (closed) {
            return java.util.Optional.of(name + " threads are stopped");
        }
        long sinceSweep = now - lastSweepNanos;
        if (sinceSweep > STUCK_NANOS) {
            return java.util.Optional.of(name + " sweeper (heartbeats, write timeouts) has not run for "
                    + TimeUnit.NANOSECONDS.toSeconds(sinceSweep) + " s");
        }
        return writers.problem(now, STUCK_NANOS);
    }

    /** Stops the threads, waiting up to 5 s for the last writes; connections should be closed first. */
    @Override
    public void close() {
        close(5000);
    }

    /**
     * Stops the threads, waiting up to {@code waitMillis} (at most 5 s) for the last writes queued;
     * connections should be closed first.
     */
    public void close(long waitMillis) {
        closed = true;
        sweeper.shutdownNow();
        writers.close(Math.min(5000, Math.max(0, waitMillis)));
    }

    @Override
    public String toString() {
        return "ConnRuntime{" + name + ", connections=" + connections.size() + "}";
    }
}
