package dev.ssekit;

import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.ForwardingStore;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reconnect storm on a slow store (bench run P): replays start a few at a time, so that the store
 * keeps room for publishes, and a client whose replay waits for the store is not taken for a slow
 * consumer.
 */
class ReplayTurnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Holds every history read until released, counting those in flight. */
    private static final class HeldReads extends ForwardingStore {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        volatile boolean holding = true;

        HeldReads() {
            super(InMemoryHistoryStore.create());
        }

        @Override
        public Replay read(Set<String> topics, String afterId, String untilId) {
            if (!holding) {
                return delegate.read(topics, afterId, untilId);
            }
            int now = inFlight.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            try {
                release.await(60, TimeUnit.SECONDS);
                return delegate.read(topics, afterId, untilId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @Test
    void replaysStartAFewAtATime_theRestWaitTheirTurn() {
        HeldReads store = new HeldReads();
        try (Hub topics = Hub.builder().history(store).build()) {
            store.holding = false;
            topics.publish(List.of("t"), Event.of("before"));
            store.holding = true;
            List<FakeSse.Sink> sinks = new ArrayList<>();
            List<CompletableFuture<Subscription>> subscribes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                FakeSse.Sink sink = new FakeSse.Sink();
                sinks.add(sink);
                Conn conn = topics.open(sink);
                subscribes.add(CompletableFuture.supplyAsync(() -> topics.subscribe(conn, List.of("t"), "earliest")));
            }
            await().atMost(WAIT).until(() -> store.inFlight.get() == 4);
            // The other six wait their turn rather than reach the store.
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> store.inFlight.get() == 4);
            store.release.countDown();
            for (CompletableFuture<Subscription> s : subscribes) {
                s.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
            }
            assertEquals(4, store.mostAtOnce.get(), "replays reading the store at once");
            for (FakeSse.Sink sink : sinks) {
                await().atMost(WAIT).until(() -> sink.ids().size() == 1);
            }
        }
    }

    @Test
    void aClientWhoseReplayWaitsForTheStore_isNotCutAsASlowConsumer() {
        HeldReads store = new HeldReads();
        try (Hub topics = Hub.builder().history(store).queueMaxDelay(Duration.ofMillis(200))
                .writeTimeout(Duration.ofMinutes(5)).build()) {
            store.holding = false;
            String before = topics.publish(List.of("t"), Event.of("before")).id();
            store.holding = true;
            FakeSse.Sink sink = new FakeSse.Sink();
            Conn conn = topics.open(sink);
            CompletableFuture<Subscription> subscribed =
                    CompletableFuture.supplyAsync(() -> topics.subscribe(conn, List.of("t"), "earliest"));
            await().atMost(WAIT).until(() -> store.inFlight.get() == 1);
            store.holding = false; // the publish's own store calls pass; the replay's read stays held
            String live = topics.publish(List.of("t"), Event.of("live")).id();
            // Far past the queue's delay bound while the store holds the replay: the client is not to blame.
            await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> !conn.isClosed());
            store.release.countDown();
            subscribed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
            await().atMost(WAIT).until(() -> sink.ids().size() == 2);
            assertEquals(List.of(before, live), sink.ids());
            assertFalse(conn.isClosed());
            assertTrue(conn.done().toCompletableFuture().getNow(null) == null);
        }
    }
}
