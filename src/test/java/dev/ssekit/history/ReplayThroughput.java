package dev.ssekit.history;

import dev.ssekit.Event;

import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Measures replay: 10,000 events of about 200 bytes read back after {@code earliest}, from each store,
 * with the in-memory store as the baseline of the same run. Not a test: a measurement, run with
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ssekit.history.ReplayThroughput</pre>
 * PostgreSQL (127.0.0.1:5432, database test) and Redis (127.0.0.1:6379) are used when reachable.
 */
public final class ReplayThroughput {
    private static final int EVENTS = 10_000;
    private static final int RUNS = 7;

    public static void main(String[] args) throws Exception {
        String payload = "{\"order\":12345,\"item\":\"" + "x".repeat(150) + "\",\"qty\":2,\"ok\":true}";
        Map<String, Supplier<HistoryStore>> stores = new LinkedHashMap<>();
        stores.put("memory", InMemoryHistoryStore::create);
        stores.put("h2 (file)", () -> {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL("jdbc:h2:file:" + Path.of("target", "bench-h2", UUID.randomUUID().toString()).toAbsolutePath());
            return JdbcHistoryStore.builder(ds).pruneInterval(null).build();
        });
        String pgPrefix = "ssekit_bench" + UUID.randomUUID().toString().substring(0, 8) + "_";
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL("jdbc:postgresql://127.0.0.1:5432/test");
        pg.setUser("postgres");
        stores.put("postgresql", () -> JdbcHistoryStore.builder(pg).tablePrefix(pgPrefix).pruneInterval(null).build());
        String redisPrefix = "ssekit-bench:" + UUID.randomUUID() + ":";
        stores.put("redis", () -> RedisHistoryStore.builder("redis://127.0.0.1:6379").keyPrefix(redisPrefix).build());

        System.out.printf("replay of %,d events of %d bytes after 'earliest', median of %d reads%n",
                EVENTS, payload.length(), RUNS);
        System.out.printf("%-12s %14s %12s %14s%n", "store", "events/s", "ms/replay", "vs memory");
        double baseline = 0;
        for (Map.Entry<String, Supplier<HistoryStore>> entry : stores.entrySet()) {
            HistoryStore store;
            try {
                store = entry.getValue().get();
            } catch (RuntimeException e) {
                System.out.printf("%-12s skipped: %s%n", entry.getKey(), e.getMessage());
                continue;
            }
            try (store) {
                for (int i = 0; i < EVENTS; i++) {
                    store.append(Set.of("bench"), Event.of(payload));
                }
                List<Long> nanos = new ArrayList<>();
                for (int run = 0; run < RUNS + 2; run++) {
                    long start = System.nanoTime();
                    int n = store.read(Set.of("bench"), HistoryStore.EARLIEST, null)
                            .events().size();
                    long took = System.nanoTime() - start;
                    if (n != EVENTS) {
                        throw new IllegalStateException(entry.getKey() + " replayed " + n + " events, not " + EVENTS);
                    }
                    if (run >= 2) {
                        nanos.add(took); // the first two warm up
                    }
                }
                Collections.sort(nanos);
                double median = nanos.get(nanos.size() / 2);
                double perSecond = EVENTS / (median / 1e9);
                if (baseline == 0) {
                    baseline = perSecond;
                }
                System.out.printf("%-12s %,14.0f %12.2f %13.3fx%n", entry.getKey(), perSecond, median / 1e6,
                        perSecond / baseline);
            }
        }
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            for (String t : new String[]{"event_topic", "event", "topic", "meta"}) {
                s.execute("DROP TABLE IF EXISTS " + pgPrefix + t);
            }
        } catch (Exception e) {
            System.out.println("(could not drop the PostgreSQL bench tables " + pgPrefix + "*: " + e.getMessage() + ")");
        }
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379");
        try (var conn = client.connect()) {
            var keys = io.lettuce.core.ScanIterator.scan(conn.sync(), io.lettuce.core.ScanArgs.Builder.matches(redisPrefix + "*"));
            while (keys.hasNext()) {
                conn.sync().del(keys.next());
            }
        } catch (Exception e) {
            System.out.println("(could not delete the Redis bench keys " + redisPrefix + "*: " + e.getMessage() + ")");
        } finally {
            client.shutdown();
        }
        System.exit(0);
    }
}
