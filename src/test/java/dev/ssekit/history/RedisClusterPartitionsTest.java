package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.RedisKeys;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis store with its events spread over three partitions, on the test Redis Cluster (three
 * primaries at 127.0.0.1:7001 to 7006): every test of {@link RedisClusterHistoryStoreContractTest}
 * (the whole store contract and the shared store's), and the spread itself.
 */
class RedisClusterPartitionsTest extends RedisClusterHistoryStoreContractTest {
    private static final int PARTITIONS = 3;

    @Override
    protected int partitions() {
        return PARTITIONS;
    }

    /** @return per primary (its address), how many entries the feeds of this test's store hold there */
    private Map<String, Long> feedEntriesByPrimary() {
        return RedisKeys.on(uri(), r -> {
            Map<String, Long> entries = new TreeMap<>();
            ScanIterator<String> keys = ScanIterator.scan(r, ScanArgs.Builder.matches("{" + prefix + "*").limit(1000));
            while (keys.hasNext()) {
                String key = keys.next();
                if (key.endsWith("}feed")) {
                    entries.merge(primaryOf(r, r.clusterKeyslot(key).intValue()), r.xlen(key), Long::sum);
                }
            }
            return entries;
        });
    }

    /** @return the address of the primary serving {@code slot}, as {@code CLUSTER NODES} says */
    private static String primaryOf(RedisClusterCommands<String, String> r, int slot) {
        for (String line : r.clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue; // a slot being migrated
                }
                String[] range = f[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = Integer.parseInt(range[range.length - 1]);
                if (slot >= from && slot <= to) {
                    return f[1].substring(0, f[1].indexOf('@'));
                }
            }
        }
        throw new AssertionError("no primary serves slot " + slot);
    }

    private void appendOnTwentyTopics(HistoryStore store) {
        for (int i = 0; i < 20; i++) {
            store.append(Set.of("t" + i), Event.of(String.valueOf(i)));
        }
        store.append(Set.of("t0", "t1", "t2"), Event.of("several"));
    }

    @Test
    void partitions_spreadOneStoresEventsOverSeveralPrimaries() {
        try (HistoryStore store = create()) {
            appendOnTwentyTopics(store);
        }
        Map<String, Long> entries = feedEntriesByPrimary();
        assertEquals(21, entries.values().stream().mapToLong(Long::longValue).sum(), entries.toString());
        assertTrue(entries.size() >= 2, "the feeds, hence history and fan-out, lie on several primaries: " + entries);
        assertTrue(entries.values().stream().allMatch(n -> n < 21), "no primary holds every event: " + entries);
    }

    @Test
    void partitions_oneKeepsTheWholeStoreOnOnePrimary() {
        // What the spread above is measured against: the layout of one partition, the default.
        try (HistoryStore store = RedisHistoryStore.builder(uri()).keyPrefix(prefix).build()) {
            appendOnTwentyTopics(store);
        }
        Map<String, Long> entries = feedEntriesByPrimary();
        assertEquals(Map.of(entries.keySet().iterator().next(), 21L), entries, "one primary holds every event");
    }

    @Test
    void follow_twoNodesAppendingOnEveryPartitionDeliverEachEventOnceInIdOrder() throws Exception {
        try (SharedHistoryStore one = newNode(); SharedHistoryStore two = otherNode(one)) {
            Followed first = new Followed();
            Followed second = new Followed();
            try (SharedHistoryStore.Follower f1 = one.follow(first); SharedHistoryStore.Follower f2 = two.follow(second)) {
                List<java.util.concurrent.Future<List<String>>> appenders = new ArrayList<>();
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                try {
                    for (int t = 0; t < 4; t++) {
                        SharedHistoryStore node = t % 2 == 0 ? one : two;
                        java.util.Random random = new java.util.Random(t);
                        appenders.add(pool.submit(() -> {
                            List<String> mine = new ArrayList<>();
                            for (int i = 0; i < 60; i++) {
                                // One topic (its home partition) mostly, two now and then (partition 0).
                                Set<String> topics = i % 5 == 4 ? Set.of("t" + random.nextInt(10), "u" + random.nextInt(10))
                                        : Set.of("t" + random.nextInt(10));
                                mine.add(node.append(topics, Event.of(String.valueOf(i))).id().orElseThrow());
                            }
                            return mine;
                        }));
                    }
                    List<String> acknowledged = new ArrayList<>();
                    for (java.util.concurrent.Future<List<String>> a : appenders) {
                        List<String> mine = a.get();
                        for (int i = 1; i < mine.size(); i++) {
                            assertTrue(one.comparePositions(mine.get(i - 1), mine.get(i)) < 0,
                                    "an appender's ids increase: " + mine.get(i - 1) + ", " + mine.get(i));
                        }
                        acknowledged.addAll(mine);
                    }
                    List<String> sorted = new ArrayList<>(acknowledged);
                    sorted.sort(RedisHistoryStore.BY_STREAM_ID);
                    assertEquals(sorted.size(), new HashSet<>(sorted).size(), "ids are unique");
                    List<String> replayed = ids(one.readMatching(topics -> true, HistoryStore.EARLIEST, null).events());
                    assertEquals(sorted, replayed, "a replay of every topic reads every event once, in id order");
                    for (Followed seen : List.of(first, second)) {
                        await().atMost(WAIT).until(() -> seen.ids().size() >= sorted.size());
                        assertEquals(sorted, seen.ids(), "each node's follow delivers every event once, in id order");
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    @Test
    void build_anotherPartitionCountThanTheStoreWasWrittenWithFails() {
        try (HistoryStore store = create()) {
            append(store, "1", "a");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisHistoryStore.builder(uri()).keyPrefix(prefix).partitions(2).build());
        assertEquals("partitions is 2 but the store under keyPrefix \"" + prefix + "\" was written with 3: "
                + "use a new keyPrefix to change it", e.getMessage());
    }

    @Test
    void partitions_refusesOutOfRange() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
                () -> RedisHistoryStore.builder(uri()).partitions(0));
        assertEquals("partitions must be at least 1, got 0", low.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> RedisHistoryStore.builder(uri()).partitions(65));
        assertEquals("partitions must be at most 64, got 65", high.getMessage());
    }
}
