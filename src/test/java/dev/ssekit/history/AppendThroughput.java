package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A quick measurement, not a test: batch appends per second from one or more appenders, for batches of
 * 1, 16 and 64 events of 200 bytes on four topics, on PostgreSQL (127.0.0.1:5432, database test,
 * through a HikariCP pool) or Redis (127.0.0.1:6379).
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ssekit.history.AppendThroughput -Dexec.args=postgresql}
 * ({@code postgresql-rewrite} adds pgjdbc's reWriteBatchedInserts=true to the URL; {@code redis};
 * {@code redis-cluster}, the test cluster at 127.0.0.1:7001; {@code -Dbench.waitReplicas=1} has each
 * Redis append wait for that many replicas). A
 * second argument sets the number of appenders, each a thread with a connection of its own (default 1):
 * {@code -Dexec.args="postgresql 4"}. A third argument, {@code follow}, has a second store on the same
 * tables follow the appends meanwhile, as another node would (on PostgreSQL it LISTENs, so each
 * append's NOTIFY is delivered). {@code -Dbench.asyncCommit=true} turns {@code synchronous_commit} off
 * for the bench's sessions, so that what is measured is the database's work and locks rather than the
 * disk's flush (which on a shared machine varies more than anything measured).
 */
public final class AppendThroughput {
    private AppendThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "postgresql";
        int appenders = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        boolean follow = args.length > 2 && args[2].equals("follow");
        if (store.equals("redis") || store.equals("redis-cluster")) {
            String uri = store.equals("redis") ? RedisKeys.URI : RedisKeys.CLUSTER_URI;
            String prefix = "ssekit-bench:" + UUID.randomUUID() + ":";
            int waitReplicas = Integer.getInteger("bench.waitReplicas", 0);
            try (RedisHistoryStore redis = RedisHistoryStore.builder(uri).keyPrefix(prefix).waitReplicas(waitReplicas).build()) {
                measure(store + (waitReplicas > 0 ? " (waitReplicas=" + waitReplicas + ")" : ""), redis, appenders);
            } finally {
                RedisKeys.deleteAll(uri, prefix);
            }
            return;
        }
        boolean rewrite = store.equals("postgresql-rewrite");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Services.POSTGRES_URL + (rewrite ? "?reWriteBatchedInserts=true" : ""));
        config.setUsername(Services.POSTGRES_USER);
        config.setMaximumPoolSize(appenders + 2);
        if (Boolean.getBoolean("bench.asyncCommit")) {
            config.setConnectionInitSql("SET synchronous_commit = off");
        }
        String prefix = Services.tablePrefix("ssekit_bench");
        try (HikariDataSource ds = new HikariDataSource(config)) {
            try (JdbcHistoryStore jdbc = JdbcHistoryStore.builder(ds).tablePrefix(prefix).pruneInterval(null).build();
                 JdbcHistoryStore other = JdbcHistoryStore.builder(ds).tablePrefix(prefix).pruneInterval(null).build()) {
                java.util.concurrent.atomic.AtomicLong followed = new java.util.concurrent.atomic.AtomicLong();
                SharedHistoryStore.Follower follower = follow
                        ? other.follow((topics, event, position) -> followed.incrementAndGet()) : null;
                measure(store + (follow ? " (followed)" : ""), jdbc, appenders);
                if (follower != null) {
                    follower.close();
                    System.out.printf("followed %,d events%n", followed.get());
                }
            } finally {
                Services.dropStoreTables(ds, prefix);
            }
        }
    }

    private static void measure(String name, HistoryStore store, int appenders) throws Exception {
        String data = "x".repeat(200);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(appenders);
        try {
            for (int round = 0; round < 2; round++) { // the first round warms up
                for (int size : new int[]{1, 16, 64}) {
                    List<HistoryStore.Entry> batch = new ArrayList<>();
                    for (int i = 0; i < size; i++) {
                        batch.add(new HistoryStore.Entry(Set.of("t" + (i % 4)), Event.of(data)));
                    }
                    long start = System.nanoTime();
                    long end = start + 3_000_000_000L;
                    List<java.util.concurrent.Future<Long>> counts = new ArrayList<>();
                    for (int a = 0; a < appenders; a++) {
                        counts.add(pool.submit(() -> {
                            long events = 0;
                            while (System.nanoTime() < end) {
                                store.append(batch);
                                events += size;
                            }
                            return events;
                        }));
                    }
                    long events = 0;
                    for (java.util.concurrent.Future<Long> f : counts) {
                        events += f.get();
                    }
                    double s = (System.nanoTime() - start) / 1e9;
                    if (round == 1) {
                        System.out.printf("%s, %d appender(s), batch %2d: %,8.0f events/s, %,6.0f batches/s%n", name,
                                appenders, size, events / s, events / size / s);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
