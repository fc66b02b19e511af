package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.Hub;

import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick measurement, not a test: publishes per second of one hub on a Redis store on the test
 * Redis Cluster (127.0.0.1:7001), from concurrent publishers each on a topic of its own (t0, t1, ...,
 * whose homes spread over the partitions), through the hub's group commit; then how many events each
 * partition's feed holds.
 * In the bench harness (package {@code dev.ssekit.history}, compiled with ssekit's sources, to name a
 * partition's keys), from {@code bench/}: {@code mvn -q -DskipTests package && java -cp
 * target/classes:$(cat target/classpath.txt) dev.ssekit.history.HubPublishThroughput 3 16 10}:
 * partitions, publishers, seconds measured (after two seconds of warm-up). The test cluster is
 * started by {@code .ci/redis-cluster start 7001}.
 */
public final class HubPublishThroughput {
    private static final String CLUSTER_URI = "redis://127.0.0.1:7001";

    private HubPublishThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int partitions = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int publishers = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        String prefix = "ssekit-bench:" + UUID.randomUUID() + ":";
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong published = new AtomicLong();
        try (RedisHistoryStore store = RedisHistoryStore.builder(CLUSTER_URI).keyPrefix(prefix)
                .partitions(partitions).build();
             Hub hub = Hub.builder().history(store).build()) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                List<String> topic = List.of("t" + p);
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        hub.publish(topic, Event.of("x".repeat(200)));
                        published.incrementAndGet();
                    }
                });
                threads.add(t);
                t.start();
            }
            Thread.sleep(2_000); // warm-up: a bench, not a test
            long before = published.get();
            long started = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long count = published.get() - before;
            double took = (System.nanoTime() - started) / 1e9;
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
            Map<Integer, Long> feeds = new TreeMap<>();
            for (int k = 0; k < partitions; k++) {
                String feed = "{" + RedisHistoryStore.tag(prefix, k, partitions) + "}feed";
                feeds.put(k, onCluster(r -> r.xlen(feed)));
            }
            System.out.printf("partitions=%d publishers=%d: %,.0f publishes/s over %.1f s; events per partition's feed %s%n",
                    partitions, publishers, count / took, took, feeds);
        } finally {
            onCluster(r -> {
                ScanIterator<String> keys = ScanIterator.scan(r, ScanArgs.Builder.matches("{" + prefix + "*"));
                while (keys.hasNext()) {
                    r.del(keys.next());
                }
                return null;
            });
        }
    }

    private static <T> T onCluster(java.util.function.Function<RedisClusterCommands<String, String>, T> work) {
        RedisClusterClient client = RedisClusterClient.create(RedisURI.create(CLUSTER_URI));
        try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
            return work.apply(c.sync());
        } finally {
            client.shutdown();
        }
    }
}
