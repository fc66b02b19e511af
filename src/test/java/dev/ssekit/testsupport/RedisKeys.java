package dev.ssekit.testsupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.util.function.Function;

/**
 * The store's keys in the shared Redis at 127.0.0.1:6379 or the test cluster at 127.0.0.1:7001, read
 * and removed by tests.
 */
public final class RedisKeys {
    public static final String URI = "redis://127.0.0.1:6379";
    /** A node of the test cluster ({@link Services#requireRedisCluster}): the store finds the others. */
    public static final String CLUSTER_URI = "redis://127.0.0.1:" + Services.REDIS_CLUSTER_PORT;

    private RedisKeys() {
    }

    /** @return the store's key {@code name} under {@code prefix}: the prefix is the hash tag */
    public static String key(String prefix, String name) {
        return "{" + prefix + "}" + name;
    }

    /** @return how many entries the stream at {@code key} holds (0 if there is none) */
    public static long streamLength(String key) {
        return streamLength(URI, key);
    }

    /** @return how many entries the stream at {@code key} of the Redis at {@code uri} holds */
    public static long streamLength(String uri, String key) {
        return on(uri, r -> r.xlen(key));
    }

    /** Deletes every key of the store with key prefix {@code prefix}. */
    public static void deleteAll(String prefix) {
        deleteAll(URI, prefix);
    }

    /** Deletes every key of the store with key prefix {@code prefix} from the Redis at {@code uri}. */
    public static void deleteAll(String uri, String prefix) {
        on(uri, r -> {
            ScanIterator<String> keys = ScanIterator.scan(r, ScanArgs.Builder.matches(key(prefix, "*")));
            while (keys.hasNext()) {
                r.del(keys.next());
            }
            return null;
        });
    }

    /**
     * Runs {@code work} on a connection of its own to the Redis at {@code uri}: a cluster client when
     * it names test cluster ports (70xx; several URIs comma-separated), so that keys reach the node
     * holding them; with {@code ?timeout=} on one node, a connection to that node alone.
     */
    public static <T> T on(String uri, Function<RedisClusterCommands<String, String>, T> work) {
        if (uri.startsWith("redis://127.0.0.1:70") && !uri.contains("?")) {
            RedisClusterClient client = RedisClusterClient.create(java.util.Arrays.stream(uri.split(","))
                    .map(io.lettuce.core.RedisURI::create).toList());
            try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
                return work.apply(c.sync());
            } finally {
                client.shutdown();
            }
        }
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return work.apply(c.sync());
        } finally {
            client.shutdown();
        }
    }
}
