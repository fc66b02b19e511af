package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.SseKitException;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis Streams store on the Redis at 127.0.0.1:6379; each test under keys of its own.
 * {@link RedisClusterHistoryStoreContractTest} runs the same tests on a Redis Cluster.
 */
class RedisHistoryStoreContractTest extends DurableHistoryStoreContract implements SharedHistoryStoreContract {
    protected final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";

    /** @return the URI of the Redis the tests run on */
    protected String uri() {
        return RedisKeys.URI;
    }

    @BeforeEach
    void requireRedis() {
        Services.requireRedis();
    }

    @AfterEach
    void deleteKeys() {
        RedisKeys.deleteAll(uri(), prefix);
    }

    @Override
    protected HistoryStore create(int maxEventsPerTopic, Duration maxAge) {
        return RedisHistoryStore.builder(uri()).keyPrefix(prefix).maxEventsPerTopic(maxEventsPerTopic).maxAge(maxAge)
                .serverClockAhead(elapsed).build();
    }

    @Override
    protected HistoryStore reopen(HistoryStore closed) {
        return create(10_000, Duration.ofHours(1));
    }

    @Override
    protected boolean keepsTopicState(HistoryStore store, String topic) {
        String stream = RedisKeys.key(prefix, "topic:" + topic);
        return RedisKeys.on(uri(), r -> r.exists(stream) > 0 || r.zscore(RedisKeys.key(prefix, "topics"), stream) != null);
    }

    @Override
    protected boolean exactRetention() {
        return false; // MAXLEN ~ trims whole stream nodes
    }

    @Test
    void retention_trimmedStreamReportsOldIdsAsExpired() {
        try (HistoryStore store = create(10, Duration.ofHours(1))) {
            String first = append(store, "0", "a");
            for (int i = 1; i < 1000; i++) {
                append(store, String.valueOf(i), "a");
            }
            Replay r = read(store, first, "a");
            assertFalse(r.afterIdFound(), "the stream was trimmed after the id: a gap");
            int kept = r.events().size();
            assertTrue(kept >= 10 && kept < 1000, "kept " + kept);
            assertEquals("999", r.events().get(kept - 1).data());
        }
    }

    /**
     * A listener far slower than the publishers: it holds the follow on its first event until
     * released, recording what it gets and whether it was told of missed events.
     */
    private static final class StalledListener implements SharedHistoryStore.AppendListener {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch missed = new java.util.concurrent.CountDownLatch(1);
        final List<String> followed = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        @Override
        public void appended(Set<String> topics, Event event, String position) {
            followed.add(event.data() + " " + new java.util.TreeSet<>(topics));
            if (followed.size() == 1) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void missedEvents() {
            missed.countDown();
        }
    }

    @Test
    void follow_slowFollowerThatFeedTrimmingOvertookCatchesUpFromTheTopicStreams() throws Exception {
        try (RedisHistoryStore store = RedisHistoryStore.builder(uri()).keyPrefix(prefix).feedLength(10).build()) {
            StalledListener listener = new StalledListener();
            try (SharedHistoryStore.Follower f = store.follow(listener)) {
                List<String> expected = new java.util.ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    Set<String> topics = i % 3 == 0 ? Set.of("a") : i % 3 == 1 ? Set.of("b") : Set.of("a", "b");
                    store.append(topics, Event.of(String.valueOf(i)));
                    expected.add(i + " " + new java.util.TreeSet<>(topics));
                }
                assertTrue(RedisKeys.streamLength(uri(), RedisKeys.key(prefix, "feed")) < 2000, "the feed was trimmed");
                listener.release.countDown();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> listener.followed.size() >= 2000 || listener.missed.getCount() == 0);
                assertEquals(1, listener.missed.getCount(), "the topics' streams still held what the feed dropped");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> listener.followed.size() >= 2000);
                synchronized (listener.followed) {
                    assertEquals(expected, listener.followed, "every event once, in order, with its topics");
                }
            }
        }
    }

    @Test
    void follow_slowFollowerThatTrimmingOvertookIsToldItMissedEvents() throws Exception {
        // The topic's stream is trimmed as well as the feed: history cannot bridge the gap.
        try (RedisHistoryStore store = RedisHistoryStore.builder(uri()).keyPrefix(prefix).feedLength(10)
                .maxEventsPerTopic(10).build()) {
            StalledListener listener = new StalledListener();
            try (SharedHistoryStore.Follower f = store.follow(listener)) {
                for (int i = 0; i < 2000; i++) {
                    append(store, String.valueOf(i), "a");
                }
                listener.release.countDown();
                assertTrue(listener.missed.await(30, java.util.concurrent.TimeUnit.SECONDS),
                        "trimmed feed entries must be reported, not skipped");
            }
        }
    }

    @Test
    void read_idsFromBeforeADataLossReadAsUnknown() {
        try (HistoryStore store = create()) {
            String e1 = append(store, "1", "a");
            append(store, "2", "a");
            RedisKeys.deleteAll(uri(), prefix); // Redis restarted without its data, or failed over empty
            now.set(now.get().plusSeconds(1));
            append(store, "3", "a");
            Replay r = read(store, e1, "a");
            assertFalse(r.afterIdFound(), "events after e1 were lost: that is a gap");
            assertEquals(List.of("3"), data(r));
        }
    }

    @Test
    void read_malformedOrHugeIdsReadAsUnknown() {
        try (HistoryStore store = create()) {
            append(store, "1", "a");
            for (String id : List.of("99999999999999999999-0", "18446744073709551616-1", "1-99999999999999999999")) {
                Replay r = read(store, id, "a");
                assertFalse(r.afterIdFound(), id);
                assertEquals(List.of("1"), data(r));
            }
        }
    }

    @Test
    void append_keepForeverAgeWorks() {
        try (HistoryStore store = create(10_000, Duration.ofDays(365 * 100))) {
            append(store, "1", "a");
            assertEquals(List.of("1"), data(read(store, HistoryStore.EARLIEST, "a")));
        }
    }

    @Test
    void append_refusesIdsInStreamIdForm() {
        try (HistoryStore store = create()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.append(Set.of("a"), Event.of("x").withId("5-0")));
            assertEquals("id \"5-0\" is reserved: ids of the form <number>-<number> are assigned by the store",
                    e.getMessage());
        }
    }

    @Test
    void append_waitReplicasMoreThanRedisHasFailsNamingItYetTheEventIsStored() {
        try (HistoryStore store = RedisHistoryStore.builder(uri()).keyPrefix(prefix).waitReplicas(2)
                .commandTimeout(Duration.ofMillis(400)).build()) {
            dev.ssekit.HistoryStoreException e = assertThrows(dev.ssekit.HistoryStoreException.class,
                    () -> store.append(Set.of("a"), Event.of("x")));
            assertTrue(e.getMessage().matches("Redis stored the append, but [01] of the 2 replicas asked for "
                    + "\\(waitReplicas\\) acknowledged it within 200 ms"), e.getMessage());
            assertEquals(List.of("x"), data(read(store, HistoryStore.EARLIEST, "a")), "stored on the primary");
        }
    }

    @Test
    void waitReplicas_refusesNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisHistoryStore.builder(uri()).waitReplicas(-1));
        assertTrue(e.getMessage().startsWith("waitReplicas must be at least 0"), e.getMessage());
    }

    @Test
    void keyPrefix_refusesBraces() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisHistoryStore.builder(uri()).keyPrefix("app{1}:"));
        assertEquals("keyPrefix must not contain { or }, got \"app{1}:\": the store makes the prefix its keys' hash tag",
                e.getMessage());
    }

    @Test
    void build_unreachableRedisFailsClearly() {
        SseKitException e = assertThrows(SseKitException.class,
                () -> RedisHistoryStore.builder("redis://127.0.0.1:1").build());
        assertTrue(e.getMessage().startsWith("Redis unreachable at 127.0.0.1:1"), e.getMessage());
    }
}
