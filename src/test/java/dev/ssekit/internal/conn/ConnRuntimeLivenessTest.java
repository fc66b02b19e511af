package dev.ssekit.internal.conn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the liveness check reads: {@link ConnRuntime#problem} and {@link WriterPool#problem}, asked
 * "now" and at a later instant given by the test (no test waits for the threshold to pass).
 */
class ConnRuntimeLivenessTest {
    private static final long LATER = TimeUnit.MINUTES.toNanos(10);

    @Test
    void runtime_liveWhileItsSweeperRunsAndStoppedOnceClosed() {
        ConnRuntime runtime = new ConnRuntime("live-test", 2, 4);
        try {
            assertEquals(Optional.empty(), runtime.problem(System.nanoTime()));
            // Were nothing to run the sweeper for ten minutes, it would be reported stuck.
            String stuck = runtime.problem(System.nanoTime() + LATER).orElseThrow();
            assertTrue(stuck.startsWith("live-test sweeper (heartbeats, write timeouts) has not run for 6"), stuck);
        } finally {
            runtime.close();
        }
        assertEquals(Optional.of("live-test threads are stopped"), runtime.problem(System.nanoTime()));
    }

    @Test
    void writers_stuckWhenTasksWaitAndNoWorkerTakesOne() throws Exception {
        WriterPool pool = new WriterPool("pool-test", 1, 4);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            assertEquals(Optional.empty(), pool.problem(System.nanoTime() + LATER, ConnRuntime.STUCK_NANOS),
                    "an idle pool is not stuck, however long nothing comes");
            pool.execute(() -> {
                holding.countDown();
                awaitQuietly(release);
            }, null);
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(ran::countDown, null); // waits: the only worker is held, and nothing replaces it here
            assertEquals(Optional.empty(), pool.problem(System.nanoTime(), ConnRuntime.STUCK_NANOS));
            String stuck = pool.problem(System.nanoTime() + LATER, ConnRuntime.STUCK_NANOS).orElseThrow();
            assertTrue(stuck.startsWith("pool-test writers came back for no task for 6"), stuck);
            assertTrue(stuck.endsWith(" s while 1 wait"), stuck);
            release.countDown();
            assertTrue(ran.await(30, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> pool.problem(System.nanoTime() + LATER, ConnRuntime.STUCK_NANOS).isEmpty());
        } finally {
            release.countDown();
            pool.close(5000);
        }
        assertEquals(Optional.of("pool-test writers are stopped"), pool.problem(System.nanoTime(), ConnRuntime.STUCK_NANOS));
    }

    @Test
    void writers_liveWhenAStalledWorkerIsReplaced() throws Exception {
        WriterPool pool = new WriterPool("stall-test", 1, 4);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> held = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            pool.execute(() -> {
                held.set(Thread.currentThread());
                holding.countDown();
                awaitQuietly(release);
            }, null);
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            // Parked, as a write blocked on its client is: a thread still running counts as stalled
            // only after longer (on a loaded machine it was still RUNNABLE here, and not replaced).
            await().atMost(Duration.ofSeconds(30)).until(() -> held.get().getState() == Thread.State.WAITING);
            pool.execute(() -> { }, null);
            // As the sweeper would, past the stall time: the held worker is replaced by a fresh one.
            pool.replaceStalled(System.nanoTime() + WriterPool.STALL_NANOS + 1);
            assertEquals(2, pool.threads());
            assertEquals(Optional.empty(), pool.problem(System.nanoTime(), ConnRuntime.STUCK_NANOS));
        } finally {
            release.countDown();
            pool.close(5000);
        }
    }

    @Test
    void writers_aTaskThatRunsOnACoreIsNotTakenForAStalledWrite() throws Exception {
        WriterPool pool = new WriterPool("busy-test", 1, 4);
        CountDownLatch running = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            pool.execute(() -> {
                running.countDown();
                while (!stop.get()) {
                    Thread.onSpinWait(); // runnable, as a thread waiting for a core on a loaded machine
                }
            }, null);
            assertTrue(running.await(30, TimeUnit.SECONDS));
            pool.replaceStalled(System.nanoTime() + WriterPool.STALL_NANOS + 1);
            assertEquals(0, pool.stalled(), "runnable for less than " + WriterPool.RUNNABLE_STALL_NANOS + " ns");
            pool.replaceStalled(System.nanoTime() + WriterPool.RUNNABLE_STALL_NANOS + 1);
            assertEquals(1, pool.stalled(), "runnable and still not back after that long");
        } finally {
            stop.set(true);
            pool.close(5000);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
