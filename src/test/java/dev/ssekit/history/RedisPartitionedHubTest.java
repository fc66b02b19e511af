package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hubs on a Redis store spread over three partitions of the test Redis Cluster: concurrent
 * publishes, which the hub's group commit stores together, still go each to its topic's partition,
 * and both nodes hand every event on once, in id order.
 */
class RedisPartitionedHubTest {
    private static final int PARTITIONS = 3;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";

    @BeforeEach
    void requireCluster() {
        Services.requireRedisCluster();
    }

    @AfterEach
    void deleteKeys() {
        RedisKeys.deleteAll(RedisKeys.CLUSTER_URI, prefix);
    }

    private RedisHistoryStore store() {
        return RedisHistoryStore.builder(RedisKeys.CLUSTER_URI).keyPrefix(prefix).partitions(PARTITIONS).build();
    }

    /** @return the ids partition {@code k}'s feed holds, read from Redis */
    private Set<String> feedIds(int k) {
        String feed = "{" + RedisHistoryStore.tag(prefix, k, PARTITIONS) + "}feed";
        List<StreamMessage<String, String>> entries = RedisKeys.on(RedisKeys.CLUSTER_URI,
                r -> r.xrange(feed, Range.create("-", "+")));
        Set<String> ids = new HashSet<>();
        entries.forEach(m -> ids.add(m.getId()));
        return ids;
    }

    @Test
    void publish_concurrentPublishesToTopicsOfDifferentPartitionsAreEachAppendedToItsTopicsPartition()
            throws Exception {
        // Sixteen publishers, each on a topic of its own, the topics homed on all three partitions.
        List<String> topics = new ArrayList<>();
        for (int i = 0; topics.size() < 16; i++) {
            topics.add("t" + i);
        }
        Map<Integer, Integer> topicsPerPartition = new TreeMap<>();
        topics.forEach(t -> topicsPerPartition.merge(RedisHistoryStore.home(t, PARTITIONS), 1, Integer::sum));
        assertEquals(Set.of(0, 1, 2), topicsPerPartition.keySet(), "the topics cover every partition");
        int perPublisher = 40;
        try (RedisHistoryStore storeA = store(); RedisHistoryStore storeB = store();
             Hub a = Hub.builder().history(storeA).build(); Hub b = Hub.builder().history(storeB).build()) {
            FakeSse.Sink onA = new FakeSse.Sink();
            FakeSse.Sink onB = new FakeSse.Sink();
            a.subscribe(a.open(onA), topics, null);
            b.subscribe(b.open(onB), topics, null);
            ExecutorService pool = Executors.newFixedThreadPool(topics.size());
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<String>>> publishers = new ArrayList<>();
                for (String topic : topics) {
                    publishers.add(pool.submit(() -> {
                        start.await();
                        List<String> mine = new ArrayList<>();
                        for (int i = 0; i < perPublisher; i++) {
                            mine.add(a.publish(List.of(topic), Event.of(topic + "-" + i)).id());
                        }
                        return mine;
                    }));
                }
                start.countDown();
                Map<Integer, Set<String>> idsByHome = new TreeMap<>();
                List<String> all = new ArrayList<>();
                for (int p = 0; p < topics.size(); p++) {
                    List<String> mine = publishers.get(p).get(120, TimeUnit.SECONDS);
                    for (int i = 1; i < mine.size(); i++) {
                        assertTrue(RedisHistoryStore.BY_STREAM_ID.compare(mine.get(i - 1), mine.get(i)) < 0,
                                "a publisher's ids increase: " + mine);
                    }
                    idsByHome.computeIfAbsent(RedisHistoryStore.home(topics.get(p), PARTITIONS), k -> new HashSet<>())
                            .addAll(mine);
                    all.addAll(mine);
                }
                for (int k = 0; k < PARTITIONS; k++) {
                    Set<String> own = idsByHome.get(k);
                    Set<String> feed = feedIds(k);
                    Set<String> foreign = new HashSet<>(feed);
                    foreign.removeAll(own);
                    Set<String> missing = new HashSet<>(own);
                    missing.removeAll(feed);
                    assertTrue(foreign.isEmpty() && missing.isEmpty(), "partition " + k + "'s feed holds the "
                            + own.size() + " events of its own topics and only those, not " + foreign.size()
                            + " of other partitions' topics besides, nor without " + missing.size() + " of its own");
                }
                all.sort(RedisHistoryStore.BY_STREAM_ID);
                for (FakeSse.Sink sink : List.of(onA, onB)) {
                    await().atMost(WAIT).until(() -> sink.ids().size() >= all.size());
                    assertEquals(all, sink.ids(), "each node hands every event on once, in id order");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
