package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.metrics.DeliveryRecords;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that write to blocking outlets (JAX-RS sinks), such that a client that stops reading
 * holds only a thread of its own, never one the other connections need, and such that the threads
 * clients can hold this way are capped.
 *
 * <p>Why: a JAX-RS sink write blocks while the client's socket buffer is full (Jersey on Grizzly
 * blocks the calling thread inside {@code SseEventSink.send} until the socket drains or its own
 * write timeout, 30 s, passes), and nothing portable tells beforehand which write will block. With a
 * fixed pool, as many stalled clients as threads would stop every delivery; with a thread per
 * stalled client and no cap, ten thousand stalled clients are ten thousand threads.
 *
 * <p>How: {@code size} workers take tasks from one queue. A worker whose task has been blocked
 * (parked or waiting, not runnable) for {@link #STALL_NANOS}, or has not returned for
 * {@link #RUNNABLE_STALL_NANOS} whatever its state, is taken to be stuck on one client: it is marked
 * stalled and, if other tasks are waiting, a new worker starts in its place. A thread that merely
 * waits for a core on a loaded machine is runnable, so it is not mistaken for a stalled write. A
 * stalled worker retires as soon as its task returns (the connection's write timeout interrupts it,
 * see {@link Connection}). At most {@code maxStalled} workers may be stalled at once: past that,
 * the client stalled longest is cut as a slow consumer, which interrupts its write and frees its
 * thread. So the pool never has more than {@code size + maxStalled} threads (plus, briefly, those
 * whose cut write has not yet returned), whatever the number of stalled clients.
 *
 * <p>Non-blocking outlets never block a worker: their drains return when the client cannot take
 * more, so they never count as stalled.
 */
final class WriterPool {
    private static final Logger LOG = Logger.getLogger(WriterPool.class.getName());
    /** A write on a healthy loopback or LAN socket takes microseconds; one blocked this long is waiting for its client. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A task runnable this long without returning is stuck too: a blocking socket write in native code shows as runnable. */
    static final long RUNNABLE_STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often {@link #replaceStalled(long)} is meant to run. */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private volatile int size;
    private final int maxStalled;
    private final LinkedBlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicLong stalledCuts = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder tasksRun = new java.util.concurrent.atomic.LongAdder();
    /**
     * When a worker last came back for work (with a task or, idle, every 100 ms): tasks that wait
     * long past it wait for workers that all stopped or hang.
     */
    private volatile long lastProgressNanos = System.nanoTime();
    /** Why the last worker could not start (the JVM refused a thread), until one starts again; or null. */
    private volatile String startFailure;
    private volatile boolean closed;

    private record Task(Runnable run, Connection owner) {
    }

    /**
     * @param name       names the threads
     * @param size       how many workers no stalled client holds
     * @param maxStalled how many workers stalled clients may hold at once
     */
    WriterPool(String name, int size, int maxStalled) {
        this.name = name;
        this.size = Checks.atLeast(size, 1, "writerThreads");
        this.maxStalled = Checks.atLeast(maxStalled, 0, "maxStalledWriters");
        for (int i = 0; i < size; i++) {
            startWorker();
        }
    }

    /**
     * @param owner the connection the task writes to, cut if its write stalls past the cap; or null
     * @throws RejectedExecutionException once closed
     */
    void execute(Runnable task, Connection owner) {
        if (closed) {
            throw new RejectedExecutionException(name + " writers are stopped");
        }
        tasks.add(new Task(task, owner));
    }

    /**
     * Marks workers stuck on a client as stalled and, while tasks wait, starts one worker for each;
     * past {@code maxStalled}, cuts the clients stalled longest. Never throws: it runs on the
     * sweeper's schedule, which an exception would end.
     */
    void replaceStalled(long now) {
        if (closed) {
            return;
        }
        try {
            int stalledNow = 0;
            Worker longest = null;
            for (Worker w : workers) {
                long since = w.busySince;
                if (since == 0) {
                    continue;
                }
                if (!w.stalled && isStuck(w, now - since)) {
                    w.stalled = true;
                    w.stalledSince = now;
                }
                if (w.stalled && !w.cut) {
                    stalledNow++;
                    if (longest == null || w.stalledSince - longest.stalledSince < 0) {
                        longest = w;
                    }
                }
            }
            // Always size workers free of a stalled client, whether or not tasks wait now; under the
            // lock growTo takes, so that the two never both start the workers it lacks.
            synchronized (this) {
                int target = size;
                for (int free = threads() - stalled(); free < target; free++) {
                    startWorker();
                }
            }
            if (stalledNow > maxStalled && longest != null) {
                cutLongest(now, stalledNow - maxStalled);
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "ssekit: checking the writer threads failed; it runs again on the next tick", e);
        }
    }

    private static boolean isStuck(Worker w, long busy) {
        if (busy > RUNNABLE_STALL_NANOS) {
            return true;
        }
        Thread t = w.thread;
        return busy > STALL_NANOS && t != null && t.getState() != Thread.State.RUNNABLE;
    }

    /** Cuts the {@code count} clients stalled longest, oldest first. */
    private void cutLongest(long now, int count) {
        List<Worker> stalledOnes = workers.stream()
                .filter(w -> w.stalled && !w.cut && w.owner != null)
                .sorted((a, b) -> Long.compare(a.stalledSince - now, b.stalledSince - now))
                .limit(count)
                .toList();
        for (Worker w : stalledOnes) {
            Connection owner = w.owner;
            if (owner == null) {
                continue;
            }
            w.cut = true;
            stalledCuts.incrementAndGet();
            LOG.info(() -> "ssekit: " + name + " cut " + owner + " as a slow consumer: more than " + maxStalled
                    + " clients held a writer thread while not reading (stalled for "
                    + TimeUnit.NANOSECONDS.toMillis(now - w.stalledSince) + " ms)");
            owner.cutAsStalled(maxStalled);
        }
    }

    /**
     * Raises the pool's size to {@code newSize} workers free of a stalled client, starting them now;
     * never lowers it.
     */
    synchronized void growTo(int newSize) {
        if (closed || newSize <= size) {
            return;
        }
        for (int free = threads() - stalled(); free < newSize; free++) {
            startWorker();
        }
        size = newSize;
    }

    /** @return the workers running now, stalled ones included */
    int threads() {
        return workers.size();
    }

    /** @return the tasks the workers have taken so far */
    long tasksRun() {
        return tasksRun.sum();
    }

    /** @return the clients cut because too many stalled at once */
    long stalledCuts() {
        return stalledCuts.get();
    }

    /**
     * @param now   {@link System#nanoTime()} now
     * @param stuck how long tasks may wait with no worker taking one
     * @return what stops the writers, if anything: a thread the JVM refused to start, fewer workers
     *         than the pool's size free of a stalled client, or tasks waiting while no worker came
     *         back for work for longer than {@code stuck}
     */
    Optional<String> problem(long now, long stuck) {
        if (closed) {
            return Optional.of(name + " writers are stopped");
        }
        String failure = startFailure;
        if (failure != null) {
            return Optional.of(name + " writers: a thread could not start: " + failure);
        }
        int free = threads() - stalled();
        if (free < size) {
            return Optional.of(name + " writers: " + free + " of " + size + " threads running");
        }
        int waiting = tasks.size();
        long idle = now - lastProgressNanos;
        if (waiting > 0 && idle > stuck) {
            return Optional.of(name + " writers came back for no task for "
                    + TimeUnit.NANOSECONDS.toSeconds(idle) + " s while " + waiting + " wait");
        }
        return Optional.empty();
    }

    /** @return the workers held by a stalled task now */
    int stalled() {
        int n = 0;
        for (Worker w : workers) {
            if (w.stalled) {
                n++;
            }
        }
        return n;
    }

    /** Starts a worker; a thread the JVM refuses is reported by {@link #problem}, never thrown. */
    private void startWorker() {
        Worker w = new Worker();
        Thread t = new WriterThread(w, name + "-writer-" + started.incrementAndGet());
        t.setDaemon(true);
        w.thread = t;
        workers.add(w);
        try {
            t.start();
            startFailure = null;
        } catch (OutOfMemoryError | RuntimeException e) {
            workers.remove(w);
            startFailure = String.valueOf(e);
            LOG.log(Level.SEVERE, "ssekit: " + name + " could not start a writer thread", e);
        }
    }

    /**
     * Stops taking tasks. The queued ones still run (a graceful close queues the last writes); waits
     * up to {@code timeoutMillis} for that, then interrupts the workers still busy.
     */
    void close(long timeoutMillis) {
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            for (Worker w : List.copyOf(workers)) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    w.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.forEach(Worker::interrupt);
    }

    /** A writer's thread: it holds its deliveries' records for the metrics binding ({@link DeliveryRecords}). */
    private static final class WriterThread extends Thread implements DeliveryRecords.Holder {
        private final DeliveryRecords records;

        WriterThread(Worker worker, String name) {
            super(worker, name);
            this.records = worker.records;
        }

        @Override
        public DeliveryRecords deliveryRecords() {
            return records;
        }
    }

    private final class Worker implements Runnable {
        final DeliveryRecords records = new DeliveryRecords();
        volatile long busySince;
        volatile long stalledSince;
        volatile boolean stalled;
        volatile boolean cut;
        volatile Connection owner;
        volatile Thread thread;

        @Override
        public void run() {
            try {
                while (!stalled) {
                    Task task = tasks.poll();
                    if (task == null) {
                        passRecordsOn(); // before waiting: nothing recorded stays held while idle
                        task = tasks.poll(100, TimeUnit.MILLISECONDS);
                    }
                    lastProgressNanos = System.nanoTime();
                    if (task == null) {
                        if (closed) {
                            return;
                        }
                        continue;
                    }
                    owner = task.owner;
                    busySince = System.nanoTime();
                    tasksRun.increment();
                    try {
                        task.run.run();
                    } catch (RuntimeException | Error e) {
                        LOG.log(Level.WARNING, "ssekit: a writer task failed", e);
                    } finally {
                        busySince = 0;
                        owner = null;
                        Thread.interrupted(); // an interrupt meant for a stalled write ends with it
                    }
                }
                // Replaced while stalled: the pool already has a worker in this one's place.
            } catch (InterruptedException e) {
                // stopped
            } finally {
                passRecordsOn();
                workers.remove(this);
            }
        }

        /** As a task's failure, a binding's {@code Error} is logged, and the writer goes on. */
        private void passRecordsOn() {
            try {
                records.flush();
            } catch (Error e) {
                LOG.log(Level.WARNING, "ssekit: the metrics binding failed on a writer's deliveries", e);
            }
        }

        void join(long nanos) throws InterruptedException {
            Thread t = thread;
            if (t != null) {
                t.join(TimeUnit.NANOSECONDS.toMillis(nanos) + 1);
            }
        }

        void interrupt() {
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "WriterPool{" + name + ", size=" + size + ", maxStalled=" + maxStalled + ", threads=" + workers.size() + "}";
    }
}
