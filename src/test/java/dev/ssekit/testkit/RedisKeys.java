package dev.ssekit.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

/** Removes what a test left in the shared Redis at 127.0.0.1:6379. */
public final class RedisKeys {
    public static final String URI = "redis://127.0.0.1:6379";

    private RedisKeys() {
    }

    /** @return how many entries the stream at {@code key} holds (0 if there is none) */
    public static long streamLength(String key) {
        RedisClient client = RedisClient.create(URI);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().xlen(key);
        } finally {
            client.shutdown();
        }
    }

    /** Deletes every key that starts with {@code prefix}. */
    public static void deleteAll(String prefix) {
        RedisClient client = RedisClient.create(URI);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanIterator<String> keys = ScanIterator.scan(c.sync(), ScanArgs.Builder.matches(prefix + "*"));
            while (keys.hasNext()) {
                c.sync().del(keys.next());
            }
        } finally {
            client.shutdown();
        }
    }
}
