package dev.ssekit.history;

import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis store's contract on the test Redis Cluster (three primaries with a replica each, at
 * 127.0.0.1:7001 to 7006, started when absent): every test of {@link RedisHistoryStoreContractTest},
 * with the store given one node's URI and finding the rest.
 */
class RedisClusterHistoryStoreContractTest extends RedisHistoryStoreContractTest {
    @Override
    protected String uri() {
        return RedisKeys.CLUSTER_URI;
    }

    @BeforeEach
    @Override
    void requireRedis() {
        Services.requireRedisCluster();
    }

    @Test
    void build_severalNodeUrisNameTheCluster() {
        String seeds = "redis://127.0.0.1:" + (Services.REDIS_CLUSTER_PORT + 1) + ",redis://127.0.0.1:"
                + (Services.REDIS_CLUSTER_PORT + 2);
        try (HistoryStore store = RedisHistoryStore.builder(seeds).keyPrefix(prefix).build()) {
            String id = append(store, "1", "a", "b");
            assertEquals(List.of(id), ids(read(store, HistoryStore.EARLIEST, "a", "b").events()));
            assertTrue(store.toString().contains("cluster"), store.toString());
        }
    }

    @Test
    void append_waitingForTheReplicaEachPrimaryHasSucceeds() {
        try (HistoryStore store = RedisHistoryStore.builder(uri()).keyPrefix(prefix).waitReplicas(1).build()) {
            String id = append(store, "1", "a");
            assertEquals(List.of(id), ids(read(store, HistoryStore.EARLIEST, "a").events()));
        }
    }

    @Test
    void append_aBatchOnManyTopicsIsOneScriptOnOneSlot() {
        // Hub whose plain names hash to slots on all three primaries: one script, no CROSSSLOT.
        try (HistoryStore store = create(10_000, Duration.ofHours(1))) {
            List<String> topics = List.of("a", "b", "c", "orders/42", "x", "y", "z");
            String id = append(store, "1", topics.toArray(String[]::new));
            for (String topic : topics) {
                assertEquals(List.of(id), ids(read(store, HistoryStore.EARLIEST, topic).events()), topic);
            }
        }
    }
}
