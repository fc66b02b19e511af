package dev.ssekit.app;

import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.HubProcess;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two embedded hubs, each its own JVM, sharing one Redis, one Redis Cluster (with the store in one
 * partition, or spread over three: {@code redis-cluster-partitions}) or one PostgreSQL database: the
 * way N nodes run behind a load balancer. Each test runs on each, with the same assertions.
 */
class TwoNodeClusterTest {
    private final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";
    private final String tablePrefix = Services.tablePrefix("nodes_");
    private final List<HubProcess> nodes = new ArrayList<>();
    /**
     * The topics the hopping subscribers follow: with three partitions their homes are 0, 2 and 1,
     * so the nodes merge three partitions' feeds.
     */
    private static final List<String> TOPICS = List.of("c", "f", "g");
    private static final String ALL_TOPICS = "topic=c&topic=f&topic=g";
    private String store;

    @AfterEach
    void stopNodesAndDeleteData() throws Exception {
        nodes.forEach(HubProcess::close);
        if ("redis".equals(store)) {
            RedisKeys.deleteAll(prefix);
        } else if (store != null && store.startsWith("redis-cluster")) {
            RedisKeys.deleteAll(RedisKeys.CLUSTER_URI, prefix);
        } else if ("postgresql".equals(store)) {
            Services.dropStoreTables(tablePrefix);
        }
    }

    /** Skips the test unless the store's server is reachable; the nodes started next use it. */
    private void use(String store) {
        if (store.equals("redis")) {
            Services.requireRedis();
        } else if (store.startsWith("redis-cluster")) {
            Services.requireRedisCluster();
        } else {
            Services.requirePostgres();
        }
        this.store = store;
    }

    /** Starts {@code EmbeddedHub} in a child JVM on the store of the test, and waits until it serves. */
    private URI startNode() throws Exception {
        Map<String, String> env = store.equals("redis")
                ? Map.of("SSEKIT_HISTORY_STORE", "redis", "SSEKIT_HISTORY_REDIS_KEY_PREFIX", prefix)
                : store.startsWith("redis-cluster")
                ? Map.of("SSEKIT_HISTORY_STORE", "redis", "SSEKIT_HISTORY_REDIS_KEY_PREFIX", prefix,
                        "SSEKIT_HISTORY_REDIS_URI", RedisKeys.CLUSTER_URI,
                        "SSEKIT_HISTORY_REDIS_PARTITIONS", store.endsWith("partitions") ? "3" : "1")
                : Map.of("SSEKIT_HISTORY_STORE", "jdbc", "SSEKIT_HISTORY_JDBC_URL", Services.POSTGRES_URL,
                        "SSEKIT_HISTORY_JDBC_USER", Services.POSTGRES_USER,
                        "SSEKIT_HISTORY_JDBC_TABLE_PREFIX", tablePrefix);
        HubProcess node = HubProcess.start(env);
        nodes.add(node);
        return node.uri();
    }

    private static String publish(URI node, String data) throws Exception {
        return MercureClient.publish(node, "c", data);
    }

    private static SseRecorder subscribe(URI node, String lastEventId) throws Exception {
        return MercureClient.subscribe(node, "topic=c",
                lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "redis-cluster", "redis-cluster-partitions", "postgresql"})
    void subscribersHoppingBetweenNodesGetEveryEventOnceInOrder(String store) throws Exception {
        use(store);
        URI a = startNode();
        URI b = startNode();
        List<URI> both = List.of(a, b);
        int subscribers = 6;
        int perPublisher = 300;
        ExecutorService pool = Executors.newFixedThreadPool(subscribers + 2);
        try {
            String first = publish(a, "start");
            CountDownLatch connected = new CountDownLatch(subscribers);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int s = 0; s < subscribers; s++) {
                results.add(pool.submit(() -> MercureClient.readAcrossReconnects(
                        () -> both.get(ThreadLocalRandom.current().nextInt(2)), ALL_TOPICS, first, connected::countDown)));
            }
            assertTrue(connected.await(60, TimeUnit.SECONDS));
            List<Future<?>> publishers = new ArrayList<>();
            for (URI node : both) {
                publishers.add(pool.submit(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        MercureClient.publish(node, TOPICS.get(i % TOPICS.size()), node.getPort() + "-" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : publishers) {
                f.get(120, TimeUnit.SECONDS);
            }
            publish(b, "END");
            List<String> truth = MercureClient.readToEnd(a, ALL_TOPICS, first);
            assertEquals(2 * perPublisher + 1, truth.size());
            for (Future<List<String>> f : results) {
                List<String> seen = f.get(120, TimeUnit.SECONDS);
                assertEquals(seen.size(), new HashSet<>(seen).size(), "a subscriber got a duplicate");
                assertEquals(truth, seen, "every event once, in order, across nodes and reconnects");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "redis-cluster", "postgresql"})
    void whenOneNodeStopsTheOtherServesWithoutAGap(String store) throws Exception {
        use(store);
        URI a = startNode();
        URI b = startNode();
        String before = publish(b, "before");
        String last;
        try (SseRecorder onA = subscribe(a, null)) {
            String seen = publish(b, "seen on a");
            assertEquals(seen, onA.takeEvent().id(), "an event published on b reaches a subscriber on a");
            last = seen;
            nodes.get(0).terminate(); // SIGTERM: the node ends its streams and stops
            onA.awaitEnd(); // the stopping node ends the stream
        }
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            published.add(publish(b, "after " + i));
        }
        try (SseRecorder onB = subscribe(b, last)) {
            assertEquals(last, onB.header("Mercure-Last-Event-ID"));
            List<String> got = onB.takeEvents(20).stream().map(ReceivedEvent::id).toList();
            assertEquals(published, got);
        }
        assertTrue(!before.equals(last));
    }
}
