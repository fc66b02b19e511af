package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that write to sinks, such that a client that stops reading holds only a thread of its
 * own, never one the other connections need.
 *
 * <p>Why: a JAX-RS sink write blocks while the client's socket buffer is full (Jersey on Grizzly
 * blocks the calling thread inside {@code SseEventSink.send} until the socket drains or its own
 * write timeout, 30 s, passes), and nothing portable tells beforehand which write will block. With a
 * fixed pool, as many stalled clients as threads would stop every delivery.
 *
 * <p>How: {@code size} workers take tasks from one queue. A task still running after
 * {@link #STALL_NANOS} is taken to be stuck on one client: its worker is marked stalled and, if other
 * tasks are waiting, a new worker starts in its place. A stalled worker retires as soon as its task
 * returns (the connection's write timeout interrupts it, see {@link Connection}). So there are always
 * {@code size} workers that no stalled client holds, plus one for each client stalled right now; a
 * stalled client is ended by its write timeout or its overflow policy, and its thread with it.
 */
final class WriterPool {
    private static final Logger LOG = Logger.getLogger(WriterPool.class.getName());
    /** A write on a healthy loopback or LAN socket takes microseconds; one this long is waiting for its client. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How often {@link #replaceStalled(long)} is meant to run. */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final int size;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger started = new AtomicInteger();
    /**
     * When a worker last came back for work (with a task or, idle, every 100 ms): tasks that wait
     * long past it wait for workers that all stopped or hang.
     */
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile boolean closed;

    /**
     * @param name names the threads
     * @param size how many workers no stalled client holds
     */
    WriterPool(String name, int size) {
        this.name = name;
        this.size = Checks.atLeast(size, 1, "writerThreads");
        for (int i = 0; i < size; i++) {
            startWorker();
        }
    }

    /** @throws RejectedExecutionException once closed */
    void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException(name + " writers are stopped");
        }
        tasks.add(task);
    }

    /**
     * Marks workers whose task has run longer than {@link #STALL_NANOS} as stalled and, while tasks
     * wait, starts one worker for each.
     */
    void replaceStalled(long now) {
        if (closed || tasks.isEmpty()) {
            return; // nobody waits for a thread
        }
        for (Worker w : workers) {
            long since = w.busySince;
            if (since != 0 && !w.stalled && now - since > STALL_NANOS) {
                w.stalled = true;
                startWorker();
            }
        }
    }

    /** @return the workers running now, stalled ones included */
    int threads() {
        return workers.size();
    }

    /**
     * @param now   {@link System#nanoTime()} now
     * @param stuck how long tasks may wait with no worker taking one
     * @return what stops the writers, if anything: fewer workers than the pool's size free of a
     *         stalled client, or tasks waiting while no worker came back for work for longer than
     *         {@code stuck}
     */
    java.util.Optional<String> problem(long now, long stuck) {
        if (closed) {
            return java.util.Optional.of(name + " writers are stopped");
        }
        int free = threads() - stalled();
        if (free < size) {
            return java.util.Optional.of(name + " writers: " + free + " of " + size + " threads running");
        }
        int waiting = tasks.size();
        long idle = now - lastProgressNanos;
        if (waiting > 0 && idle > stuck) {
            return java.util.Optional.of(name + " writers came back for no task for "
                    + TimeUnit.NANOSECONDS.toSeconds(idle) + " s while " + waiting + " wait");
        }
        return java.util.Optional.empty();
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

    private void startWorker() {
        Worker w = new Worker();
        Thread t = new Thread(w, name + "-writer-" + started.incrementAndGet());
        t.setDaemon(true);
        w.thread = t;
        workers.add(w);
        t.start();
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

    private final class Worker implements Runnable {
        volatile long busySince;
        volatile boolean stalled;
        volatile Thread thread;

        @Override
        public void run() {
            try {
                while (!stalled) {
                    Runnable task = tasks.poll(100, TimeUnit.MILLISECONDS);
                    lastProgressNanos = System.nanoTime();
                    if (task == null) {
                        if (closed) {
                            return;
                        }
                        continue;
                    }
                    busySince = System.nanoTime();
                    try {
                        task.run();
                    } catch (RuntimeException | Error e) {
                        LOG.log(Level.WARNING, "ssekit: a writer task failed", e);
                    } finally {
                        busySince = 0;
                        Thread.interrupted(); // an interrupt meant for a stalled write ends with it
                    }
                }
                // Replaced while stalled: the pool already has a worker in this one's place.
            } catch (InterruptedException e) {
                // stopped
            } finally {
                workers.remove(this);
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
        return "WriterPool{" + name + ", size=" + size + ", threads=" + workers.size() + "}";
    }
}
