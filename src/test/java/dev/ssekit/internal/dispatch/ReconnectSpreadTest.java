package dev.ssekit.internal.dispatch;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.Event;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.internal.Limits;
import dev.ssekit.internal.conn.ConnSettings;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.tx.Transactions;
import dev.ssekit.internal.wire.RetryHint;
import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.ws.rs.sse.OutboundSseEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that fell behind its shared store's feed past what history can bridge ends its streams
 * spread over the reconnect window, each with a retry hint of its own; the window's clock is a
 * scheduler the test steps by hand.
 */
class ReconnectSpreadTest {
    private static final Duration WINDOW = Duration.ofSeconds(8);
    private final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";

    /** Holds tasks until the test runs them, in the order of their delays. */
    private static final class SteppedScheduler implements ReconnectSpread.Scheduler {
        record Due(Runnable task, Duration delay) {
        }

        final List<Due> due = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void schedule(Runnable task, Duration delay) {
            due.add(new Due(task, delay));
        }

        List<Duration> delays() {
            synchronized (due) {
                return due.stream().map(Due::delay).sorted().toList();
            }
        }

        /** Runs the task due first, as the clock reaches its delay. */
        void runNext() {
            Due next;
            synchronized (due) {
                next = due.stream().min(java.util.Comparator.comparing(Due::delay)).orElseThrow();
                due.remove(next);
            }
            next.task().run();
        }
    }

    @AfterEach
    void deleteKeys() {
        RedisKeys.deleteAll(prefix);
    }

    @Test
    void missedEvents_streamsEndOneByOneOverTheWindowEachWithItsOwnRetry() throws Exception {
        Services.requireRedis();
        SteppedScheduler scheduler = new SteppedScheduler();
        RedisHistoryStore store = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).build();
        try (Dispatcher dispatcher = new Dispatcher("spread", store, true, ConnSettings.DEFAULTS,
                Limits.DEFAULTS.withReconnectWindow(WINDOW), null, MetricsBinding.NONE, null, Transactions.NONE,
                new ReconnectSpread(WINDOW, scheduler, new Random(42)))) {
            Map<Connection, FakeSse.Sink> sinks = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                FakeSse.Sink sink = new FakeSse.Sink();
                Connection c = dispatcher.open(sink, null, null);
                dispatcher.subscribe(c, java.util.Collections.singletonMap("t", null), null);
                sinks.put(c, sink);
            }
            String before = dispatcher.publish(Set.of("t"), Event.of("before"), null).id().orElseThrow();
            for (FakeSse.Sink sink : sinks.values()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.ids().equals(List.of(before)));
            }
            // As if a thousand events were appended, and trimmed from the feed and from the topic's
            // stream, before this node read them: the follower finds a gap history cannot bridge.
            RedisClient client = RedisClient.create(RedisKeys.URI);
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().incrby(RedisKeys.key(prefix, "feedcount"), 1000);
            } finally {
                client.shutdown();
            }
            dispatcher.publish(Set.of("t"), Event.of("after the gap"), null);

            await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.due.size() == 3);
            assertEquals(List.of(WINDOW.dividedBy(4), WINDOW.dividedBy(2), WINDOW.multipliedBy(3).dividedBy(4)),
                    scheduler.delays(), "the other three end a quarter of the window apart");
            List<Connection> ended = new ArrayList<>();
            awaitEnded(sinks.keySet(), ended, 1);
            for (int step = 2; step <= 4; step++) {
                assertEquals(step - 1, ended.size(), "no stream ends before its turn");
                scheduler.runNext();
                awaitEnded(sinks.keySet(), ended, step);
            }
            Set<Long> retries = new HashSet<>();
            for (Connection c : ended) {
                assertEquals(CloseReason.ERROR, c.done().toCompletableFuture().get(20, TimeUnit.SECONDS));
                FakeSse.Sink sink = sinks.get(c);
                assertEquals(List.of(before), sink.ids(), "no event past the gap moved the client's last id");
                List<OutboundSseEvent> written = sink.written();
                OutboundSseEvent last = written.get(written.size() - 1);
                assertTrue(last instanceof RetryHint, "the stream's last word is a retry hint: " + written);
                long retry = last.getReconnectDelay();
                assertTrue(retry >= 1000 && retry <= 1000 + WINDOW.toMillis(), "retry " + retry);
                retries.add(retry);
            }
            assertEquals(4, retries.size(), "each client waits a delay of its own: " + retries);
        }
    }

    /** Waits until {@code count} connections ended, adding the newly ended ones to {@code ended}. */
    private static void awaitEnded(Set<Connection> all, List<Connection> ended, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (Connection c : all) {
                if (c.done().toCompletableFuture().isDone() && !ended.contains(c)) {
                    ended.add(c);
                }
            }
            return ended.size() >= count;
        });
        assertEquals(count, ended.size());
        assertFalse(ended.size() < 4 && all.stream().allMatch(c -> c.done().toCompletableFuture().isDone()));
    }
}
