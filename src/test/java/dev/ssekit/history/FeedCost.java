package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A quick measurement, not a test: what one node's feed reading costs in CPU. One store appends at a
 * steady rate (four appenders, one event per append, round the topics t0 to t5) for some seconds,
 * alternately without and with a second store on the same data following every event, as another
 * node would; the JVM's CPU time (both stores are in it) is taken for each phase, and the difference
 * per 10,000 events followed is the follow's cost: CPU seconds per 10,000 events, which is also the
 * share of one core a node spends following 10,000 events/s.
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ssekit.history.FeedCost -Dexec.args="redis 2000 10"}
 * (store: {@code postgresql}, {@code redis} or {@code redis-cluster}; events per second; seconds per
 * phase; {@code -Dbench.partitions=3} spreads a Redis store over three partitions).
 */
public final class FeedCost {
    private static final int APPENDERS = 4;

    private FeedCost() {
    }

    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "redis";
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int partitions = Integer.getInteger("bench.partitions", 1);
        if (store.startsWith("redis")) {
            String uri = store.equals("redis") ? RedisKeys.URI : RedisKeys.CLUSTER_URI;
            String prefix = "ssekit-bench:" + UUID.randomUUID() + ":";
            try (RedisHistoryStore a = RedisHistoryStore.builder(uri).keyPrefix(prefix).partitions(partitions).build();
                 RedisHistoryStore b = RedisHistoryStore.builder(uri).keyPrefix(prefix).partitions(partitions).build()) {
                measure(a + "", a, b, rate, seconds);
            } finally {
                RedisKeys.deleteAll(uri, prefix);
            }
            return;
        }
        String prefix = Services.tablePrefix("ssekit_feed");
        try (HikariDataSource poolA = pool(); HikariDataSource poolB = pool();
             JdbcHistoryStore a = JdbcHistoryStore.builder(poolA).tablePrefix(prefix).pruneInterval(null).build();
             JdbcHistoryStore b = JdbcHistoryStore.builder(poolB).tablePrefix(prefix).pruneInterval(null).build()) {
            try {
                measure(store, a, b, rate, seconds);
            } finally {
                Services.dropStoreTables(poolA, prefix);
            }
        }
    }

    private static HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Services.POSTGRES_URL);
        config.setUsername(Services.POSTGRES_USER);
        config.setMaximumPoolSize(APPENDERS + 2);
        return new HikariDataSource(config);
    }

    private static void measure(String name, HistoryStore a, SharedHistoryStore b, int rate, int seconds) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(APPENDERS);
        try {
            append(pool, a, rate, 2); // warm-up
            double[] without = new double[2];
            double[] with = new double[2];
            long[] appended = new long[2];
            for (int round = 0; round < 2; round++) {
                long cpu = os.getProcessCpuTime();
                long n = append(pool, a, rate, seconds);
                without[round] = (os.getProcessCpuTime() - cpu) / 1e9 / n * 10_000;
                AtomicLong followed = new AtomicLong();
                try (SharedHistoryStore.Follower f = b.follow((topics, event, position) -> followed.incrementAndGet())) {
                    cpu = os.getProcessCpuTime();
                    appended[round] = append(pool, a, rate, seconds);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (followed.get() < appended[round] && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    }
                    with[round] = (os.getProcessCpuTime() - cpu) / 1e9 / appended[round] * 10_000;
                    System.out.printf("%s, round %d: %,d events at %,d/s; CPU s per 10,000 events: %.3f without a "
                                    + "follower, %.3f with (followed %,d): the follow %.3f%n", name, round + 1, appended[round],
                            rate, without[round], with[round], followed.get(), with[round] - without[round]);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Appends at {@code rate} events/s for {@code seconds}; @return how many were appended */
    private static long append(ExecutorService pool, HistoryStore store, int rate, int seconds) throws Exception {
        int total = rate * seconds;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        String data = "x".repeat(200);
        List<Future<Long>> appenders = new ArrayList<>();
        for (int t = 0; t < APPENDERS; t++) {
            int first = t;
            appenders.add(pool.submit(() -> {
                long n = 0;
                for (int i = first; i < total; i += APPENDERS) {
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    store.append(Set.of("t" + (i % 6)), Event.of(data));
                    n++;
                }
                return n;
            }));
        }
        long n = 0;
        for (Future<Long> f : appenders) {
            n += f.get();
        }
        return n;
    }
}
