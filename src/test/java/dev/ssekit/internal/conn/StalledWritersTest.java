package dev.ssekit.internal.conn;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.internal.wire.FramedEvent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The cap on writer threads held by clients that stopped reading: past it, the client stalled
 * longest is cut as a slow consumer, and the pool's thread count stays at its size plus the cap.
 */
class StalledWritersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A JAX-RS sink whose client never reads: every write blocks until its thread is interrupted. */
    private static final class NeverReads implements Outlet {
        @Override
        public CompletionStage<?> write(FramedEvent frames) {
            try {
                new CountDownLatch(1).await();
                return CompletableFuture.completedFuture(null);
            } catch (InterruptedException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void end() {
        }

        @Override
        public void cut() {
        }

        @Override
        public boolean isClosed() {
            return false;
        }
    }

    @Test
    void replaceStalled_pastTheCapTheClientStalledLongestIsCut() {
        ConnRuntime runtime = new ConnRuntime("cap-test", 1, 1);
        try {
            Connection first = new Connection(new NeverReads(), ConnSettings.DEFAULTS, runtime, "first", true);
            // Its greeting's write blocks; the worker is replaced, as the cap allows one stalled.
            await().atMost(WAIT).until(() -> runtime.writerThreads() == 2);
            Connection second = new Connection(new NeverReads(), ConnSettings.DEFAULTS, runtime, "second", true);
            assertEquals(CloseReason.SLOW_CONSUMER,
                    first.done().toCompletableFuture().orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join());
            Connection third = new Connection(new NeverReads(), ConnSettings.DEFAULTS, runtime, "third", true);
            assertEquals(CloseReason.SLOW_CONSUMER,
                    second.done().toCompletableFuture().orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join());
            assertFalse(third.isClosed(), "the one stalled client the cap allows stays");
            assertEquals(2, runtime.stalledCuts());
            // One worker free of any client, one held by the third: the cut ones' threads retired.
            await().atMost(WAIT).until(() -> runtime.writerThreads() == 2);
        } finally {
            runtime.close();
        }
    }
}
