package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes whose clocks are hours off, sharing one Redis (under keys of the test's own): ids and
 * retention must follow Redis's clock, not theirs. Each node's clock is its builder's {@code clock}.
 */
class RedisClockSkewTest {
    private final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";
    private final RedisClient client = RedisClient.create(RedisKeys.URI);
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void connect() {
        Services.requireRedis();
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void deleteKeys() {
        if (connection != null) {
            connection.close();
            RedisKeys.deleteAll(prefix);
        }
        client.shutdown();
    }

    private RedisHistoryStore node(Clock clock) {
        return RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).clock(clock).build();
    }

    private static Clock skewed(Duration by) {
        return Clock.offset(Clock.systemUTC(), by);
    }

    /** Redis's own time, in milliseconds. */
    private long redisMillis() {
        List<String> t = redis.time();
        return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
    }

    private static long millisOf(String id) {
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    private static String append(HistoryStore store, String data, String topic) {
        return store.append(Set.of(topic), Event.of(data)).id().orElseThrow();
    }

    private static List<String> data(Replay r) {
        return r.events().stream().map(Event::data).toList();
    }

    @Test
    void append_nodeHoursAheadOrBehindTakesIdsFromRedisClockInOneOrder() {
        try (RedisHistoryStore ahead = node(skewed(Duration.ofHours(5)));
             RedisHistoryStore behind = node(skewed(Duration.ofHours(-5)))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long before = redisMillis();
                String id = append(i % 2 == 0 ? ahead : behind, Integer.toString(i), "a");
                long after = redisMillis();
                assertTrue(millisOf(id) >= before && millisOf(id) <= after,
                        "id " + id + " is dated by Redis's clock, between " + before + " and " + after);
                ids.add(id);
            }
            assertEquals(ids.size(), new HashSet<>(ids).size(), "no id is given twice: " + ids);
            List<String> sorted = new ArrayList<>(ids);
            sorted.sort(RedisHistoryStore.BY_STREAM_ID);
            assertEquals(sorted, ids, "ids rise in append order, whichever node appended");
            assertEquals(ids, behind.read(Set.of("a"), HistoryStore.EARLIEST, null).events().stream()
                    .map(e -> e.id().orElseThrow()).toList());
        }
    }

    @Test
    void append_nodeADayAheadDeletesNoHistory() {
        try (RedisHistoryStore onTime = node(Clock.systemUTC());
             RedisHistoryStore ahead = node(skewed(Duration.ofHours(25)))) {
            String quiet = append(onTime, "quiet", "b");
            append(onTime, "1", "a");
            append(ahead, "2", "a"); // its append trims and sweeps by the store's cutoff
            for (RedisHistoryStore node : List.of(onTime, ahead)) {
                assertEquals(List.of("quiet"), data(node.read(Set.of("b"), HistoryStore.EARLIEST, null)),
                        "a topic quiet for less than maxAge keeps its history");
                assertEquals(List.of("1", "2"), data(node.read(Set.of("a"), HistoryStore.EARLIEST, null)));
                Replay afterQuiet = node.read(Set.of("b"), quiet, null);
                assertTrue(afterQuiet.afterIdFound(), "nothing was dropped after " + quiet);
                assertEquals(List.of("quiet", "1", "2"),
                        data(node.readMatching(topics -> true, HistoryStore.EARLIEST, null)));
            }
            assertEquals(1, RedisKeys.streamLength(RedisKeys.key(prefix, "topic:b")));
        }
    }

    @Test
    void read_nodeADayBehindServesNoExpiredEvent() {
        try (RedisHistoryStore onTime = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix)
                .maxAge(Duration.ofMillis(200)).build();
             RedisHistoryStore behind = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix)
                     .maxAge(Duration.ofMillis(200)).clock(skewed(Duration.ofHours(-25))).build()) {
            String id = append(onTime, "old", "a");
            // Redis's clock passes the event's expiry (a bounded wait of about 200 ms).
            await().atMost(Duration.ofSeconds(10)).until(() -> redisMillis() > millisOf(id) + 200);
            for (RedisHistoryStore node : List.of(onTime, behind)) {
                assertEquals(List.of(), data(node.read(Set.of("a"), HistoryStore.EARLIEST, null)),
                        "the event expired by Redis's clock");
                assertEquals(List.of(), data(node.readMatching(topics -> true, HistoryStore.EARLIEST, null)));
            }
        }
    }

    @Test
    void append_afterAFailoverLostTheNewestEventNodeBehindDoesNotReuseItsId() {
        // Node one's clock is an hour behind and does not move during the test; node two's is two
        // hours behind. Redis's clock, not theirs, must date ids.
        Clock one = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        try (RedisHistoryStore first = node(one); RedisHistoryStore second = node(skewed(Duration.ofHours(-2)))) {
            String kept = append(first, "kept", "a");
            Map<String, byte[]> replica = snapshot(); // what a replica had when the primary died
            String lost = append(first, "lost", "a"); // sent to a client, never replicated
            restore(replica); // the replica is promoted
            // A failover takes a while: Redis's clock has passed the lost id when publishing resumes.
            await().atMost(Duration.ofSeconds(10)).until(() -> redisMillis() > millisOf(lost));
            String next = append(second, "next", "a");
            assertTrue(RedisHistoryStore.BY_STREAM_ID.compare(next, lost) > 0,
                    "the id after the failover, " + next + ", is above the lost " + lost + " (and above " + kept + ")");
            // The client that saw "lost" reconnects with its id and must get what followed.
            assertEquals(List.of("next"), data(second.read(Set.of("a"), lost, null)));
            assertEquals(List.of("kept", "next"), data(first.read(Set.of("a"), HistoryStore.EARLIEST, null)));
        }
    }

    @Test
    void append_afterAFailoverToAReplicaWhoseClockIsBehindNodeGivesNoIdItSaw() {
        java.util.concurrent.atomic.AtomicReference<Duration> replicaBehind =
                new java.util.concurrent.atomic.AtomicReference<>(Duration.ZERO);
        try (RedisHistoryStore first = node(Clock.systemUTC());
             RedisHistoryStore second = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix)
                     .serverClockAhead(replicaBehind::get).build()) {
            List<String> followed = java.util.Collections.synchronizedList(new ArrayList<>());
            try (SharedHistoryStore.Follower f = second.follow((topics, event, position) -> followed.add(position))) {
                append(first, "kept", "a");
                Map<String, byte[]> replica = snapshot();
                String lost = append(first, "lost", "a");
                await().atMost(Duration.ofSeconds(10)).until(() -> followed.contains(lost)); // sent to its clients
                restore(replica);
                replicaBehind.set(Duration.ofHours(-1)); // the promoted replica's clock is an hour behind
                String next = append(second, "next", "a");
                assertTrue(RedisHistoryStore.BY_STREAM_ID.compare(next, lost) > 0,
                        "the node's clients had " + lost + ": its next id, " + next + ", is above it");
            }
        }
    }

    @Test
    void append_lastIdKeyRolledBackAndRedisClockBehindTakesIdsAboveTheFeed() {
        try (RedisHistoryStore first = node(Clock.systemUTC())) {
            String early = append(first, "early", "a");
            String newest = append(first, "newest", "a");
            redis.set(RedisKeys.key(prefix, "lastid"), early); // the separate key rolled back, the feed did not
            try (RedisHistoryStore fresh = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix)
                    .serverClockAhead(() -> Duration.ofHours(-1)).build()) { // and Redis's clock went back
                String next = append(fresh, "next", "a");
                assertTrue(RedisHistoryStore.BY_STREAM_ID.compare(next, newest) > 0,
                        "the id " + next + " is above the feed's newest, " + newest);
                assertEquals(List.of("early", "newest", "next"),
                        data(fresh.read(Set.of("a"), HistoryStore.EARLIEST, null)));
            }
        }
    }

    private Map<String, byte[]> snapshot() {
        Map<String, byte[]> dump = new HashMap<>();
        ScanIterator<String> keys = ScanIterator.scan(redis, ScanArgs.Builder.matches(RedisKeys.key(prefix, "*")));
        while (keys.hasNext()) {
            String key = keys.next();
            dump.put(key, redis.dump(key));
        }
        return dump;
    }

    /** Puts every key of the prefix back as it was in {@code dump}: later writes are gone. */
    private void restore(Map<String, byte[]> dump) {
        ScanIterator<String> keys = ScanIterator.scan(redis, ScanArgs.Builder.matches(RedisKeys.key(prefix, "*")));
        List<String> now = new ArrayList<>();
        keys.forEachRemaining(now::add);
        for (String key : now) {
            if (!dump.containsKey(key)) {
                redis.del(key);
            }
        }
        dump.forEach((key, value) -> redis.restore(key, value, RestoreArgs.Builder.ttl(0).replace()));
    }
}
