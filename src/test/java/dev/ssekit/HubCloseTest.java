package dev.ssekit;

import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.testsupport.GatedStore;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Hub#close()} (an undeploy) while the store holds an append, on a registry patient with
 * its store (30 s publish timeout): the close returns within the shutdown timeout, the publish
 * waiting behind the held one fails at the end of the publishes' share of it, nothing of it stored,
 * and the held one, once the store answers, is acknowledged and in history. On ddf612c the close
 * waited 10 s for the publishes whatever was configured.
 */
class HubCloseTest {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofSeconds(2);

    @Test
    void close_storeHoldsAnAppend_returnsWithinTheShutdownTimeoutAndTheWaitingPublishFails() throws Exception {
        InMemoryHistoryStore memory = InMemoryHistoryStore.create();
        GatedStore store = new GatedStore(memory);
        store.gateFirstAppend();
        ExecutorService publishers = Executors.newCachedThreadPool();
        try {
            Hub topics = Hub.builder().history(store).publishTimeout(Duration.ofSeconds(30))
                    .shutdownTimeout(SHUTDOWN_TIMEOUT).build();
            CompletableFuture<String> held = CompletableFuture.supplyAsync(
                    () -> topics.publish(List.of("t"), Event.of("held")).id(), publishers);
            assertTrue(store.appendStarted.await(10, TimeUnit.SECONDS), "the first append reached the store");
            AtomicReference<Thread> behindThread = new AtomicReference<>();
            CompletableFuture<String> behind = CompletableFuture.supplyAsync(() -> {
                behindThread.set(Thread.currentThread());
                return topics.publish(List.of("t"), Event.of("behind")).id();
            }, publishers);
            // Accepted and parked behind the held append.
            await().atMost(Duration.ofSeconds(10)).until(() -> behindThread.get() != null
                    && behindThread.get().getState() == Thread.State.TIMED_WAITING);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(topics::close, publishers);
            await().atMost(SHUTDOWN_TIMEOUT.plus(MARGIN)).until(closing::isDone);
            await().atMost(SHUTDOWN_TIMEOUT.plus(MARGIN)).until(behind::isDone);
            CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    behind::join);
            assertInstanceOf(HubClosedException.class, refused.getCause(), String.valueOf(refused.getCause()));
            assertFalse(held.isDone(), "the held append still waits for its store call");

            store.gate.countDown();
            String id = held.get(10, TimeUnit.SECONDS);
            List<String> kept = memory.read(java.util.Set.of("t"), "earliest", null).events().stream()
                    .map(e -> e.data()).toList();
            assertEquals(List.of("held"), kept, "acknowledged " + id + "; stored");
        } finally {
            store.gate.countDown();
            publishers.shutdownNow();
        }
    }
}
