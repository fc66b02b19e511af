package dev.ssekit.internal.conn;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.testkit.FakeSse;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connections opened outside any hub end with the application within the shutdown timeout,
 * however patient their write timeout: one whose client stopped reading is cut. On ddf612c the
 * application's stop waited its write timeout plus a second (here 31 s).
 */
class ConnRuntimeCloseTest {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void closeShared_connectionStalledWithLongWriteTimeout_returnsWithinTheShutdownTimeoutAndCutsIt() {
        Conn stalled = Conn.builder(FakeSse.Sink.stuck(), FakeSse.sse()).writeTimeout(Duration.ofSeconds(30)).open();
        stalled.send(Event.of("never taken"));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> ConnRuntime.closeShared(
                dev.ssekit.internal.StopBudget.startingNow(SHUTDOWN_TIMEOUT)));
        await().atMost(SHUTDOWN_TIMEOUT.plusSeconds(2)).until(closing::isDone);
        assertTrue(stalled.done().toCompletableFuture().isDone(), "the stalled connection was ended");
    }
}
