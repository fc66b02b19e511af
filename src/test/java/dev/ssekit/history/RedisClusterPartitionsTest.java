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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** @return whether partition {@code k}'s feed holds the entry {@code id} */
    private boolean feedHolds(int k, String id) {
        List<?> entries = RedisKeys.on(uri(), r -> r.xrange(key(k, "feed"), io.lettuce.core.Range.create(id, id)));
        return !entries.isEmpty();
    }

    /** @return the first of t0, t1, ... whose home is partition {@code k} */
    private static String topicOf(int k) {
        for (int i = 0; ; i++) {
            if (RedisHistoryStore.home("t" + i, PARTITIONS) == k) {
                return "t" + i;
            }
        }
    }

    /**
     * Holds a partition's reader, once armed, when it is about to hand what it read to the merge,
     * until released: what it read stays out of the merge meanwhile.
     */
    private static final class Gate {
        final java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        volatile boolean armed;

        void pass() {
            if (!armed) {
                return;
            }
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the follower closes
            }
            armed = false;
        }
    }

    /** Records what a follower hands on (the events' data) and whether it was told it missed events. */
    private static final class Recorded implements SharedHistoryStore.AppendListener {
        final List<String> data = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile boolean missed;

        @Override
        public void appended(Set<String> topics, Event event, String position) {
            data.add(event.data());
        }

        @Override
        public void missedEvents() {
            missed = true;
        }

        List<String> data() {
            synchronized (data) {
                return List.copyOf(data);
            }
        }
    }

    /**
     * Appends to {@code topic}, of partition 1, until partition 1's feed no longer holds the entry
     * {@code id}, noting each event's data in {@code expected}.
     */
    private void appendUntilTheFeedTrims(RedisHistoryStore store, String topic, String id, List<String> expected) {
        for (int i = 0; i < 1000 && feedHolds(1, id); i++) {
            for (int j = 0; j < 50; j++) {
                store.append(Set.of(topic), Event.of("after " + expected.size()));
                expected.add("after " + expected.size());
            }
        }
        assertFalse(feedHolds(1, id), "partition 1's feed trimmed the entry " + id);
    }

    /**
     * The interleaving behind a flaky {@code follow_slowFollowerThatFeedTrimmingOvertookCatchesUpFromTheTopicStreams},
     * forced: a partition's reader has read an entry and not handed it to the merge yet, the feed
     * trims it, and an event of another partition with a greater id reaches the merge, which asks
     * the first partition for its promise up to that id. The feed's range up to it is empty, though
     * the partition did append there: the follower must read the dropped entry back from the topic
     * stream and hand it on first, not hand on the greater id and then report the entry as missed.
     */
    @Test
    void follow_promiseOverFeedEntriesTrimmedBeforeTheMergeTookThemInReadsThemBack() throws Exception {
        String slow = topicOf(1);
        String fast = topicOf(2);
        Gate[] gates = {new Gate(), new Gate(), new Gate()};
        try (RedisHistoryStore store = builder().feedLength(10).beforeHandOver(k -> gates[k].pass()).build()) {
            store.append(Set.of(slow), Event.of("before"));
            store.append(Set.of(fast), Event.of("before"));
            Recorded recorded = new Recorded();
            try (SharedHistoryStore.Follower f = store.follow(recorded)) {
                gates[1].armed = true;
                String held = store.append(Set.of(slow), Event.of("held")).id().orElseThrow();
                assertTrue(gates[1].holding.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                        "partition 1's reader read the entry");
                gates[2].armed = true;
                store.append(Set.of(fast), Event.of("greater"));
                assertTrue(gates[2].holding.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                        "partition 2's reader read the entry");
                List<String> expected = new ArrayList<>(List.of("held", "greater"));
                appendUntilTheFeedTrims(store, slow, held, expected);
                gates[2].release.countDown(); // the merge takes in "greater" and asks partition 1 up to it
                await().atMost(WAIT).until(() -> recorded.data().contains("greater") || recorded.missed);
                gates[1].release.countDown();
                await().atMost(WAIT).until(() -> recorded.data().size() >= expected.size() || recorded.missed);
                assertFalse(recorded.missed, "the topic stream still held the entry the feed dropped");
                assertEquals(expected, recorded.data(), "every event once, in id order");
            }
        }
    }

    /**
     * A partition that had no event when the follow started, whose first entries the feed trimmed
     * before the merge took any in: the feed counter says they were appended, so the follower reads
     * them back from the topic stream (or, if it cannot, says that events were missed), rather
     * than start at the first entry the feed kept and skip the others in silence.
     */
    @Test
    void follow_partitionEmptyAtTheStartWhoseFirstEntriesTheFeedTrimmedReadsThemBack() throws Exception {
        String slow = topicOf(1);
        String fast = topicOf(2);
        Gate[] gates = {new Gate(), new Gate(), new Gate()};
        try (RedisHistoryStore store = builder().feedLength(10).beforeHandOver(k -> gates[k].pass()).build()) {
            store.append(Set.of(fast), Event.of("before"));
            Recorded recorded = new Recorded();
            try (SharedHistoryStore.Follower f = store.follow(recorded)) {
                gates[1].armed = true;
                String first = store.append(Set.of(slow), Event.of("first")).id().orElseThrow();
                assertTrue(gates[1].holding.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                        "partition 1's reader read its first entry");
                List<String> expected = new ArrayList<>(List.of("first"));
                appendUntilTheFeedTrims(store, slow, first, expected);
                store.append(Set.of(fast), Event.of("greater")); // the merge asks partition 1 up to it
                expected.add("greater");
                // "greater" is the newest event: once it is handed on, so is every one before it.
                await().atMost(WAIT).until(() -> recorded.data().contains("greater") || recorded.missed);
                assertFalse(recorded.missed, "the topic stream still held the entries the feed dropped");
                assertEquals(expected, recorded.data(), "every event once, in id order");
                gates[1].release.countDown();
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
