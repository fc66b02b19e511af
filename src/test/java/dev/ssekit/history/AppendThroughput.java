package dev.ssekit.history;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ssekit.Event;
import dev.ssekit.testkit.Services;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A quick measurement, not a test: batch appends per second on PostgreSQL (127.0.0.1:5432, database
 * test) through a HikariCP pool, one appender, for batches of 1, 16 and 64 events of 200 bytes.
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ssekit.history.AppendThroughput}
 * (add {@code -Dexec.args=rewrite} for pgjdbc's reWriteBatchedInserts=true on the URL).
 */
public final class AppendThroughput {
    private AppendThroughput() {
    }

    public static void main(String[] args) throws Exception {
        boolean rewrite = args.length > 0 && args[0].equals("rewrite");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Services.POSTGRES_URL + (rewrite ? "?reWriteBatchedInserts=true" : ""));
        config.setUsername(Services.POSTGRES_USER);
        config.setMaximumPoolSize(2);
        String prefix = "ssekit_bench" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        String data = "x".repeat(200);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            try (JdbcHistoryStore store = JdbcHistoryStore.builder(ds).tablePrefix(prefix).pruneInterval(null).build()) {
                for (int round = 0; round < 2; round++) { // the first round warms up
                    for (int size : new int[]{1, 16, 64}) {
                        List<HistoryStore.Entry> batch = new ArrayList<>();
                        for (int i = 0; i < size; i++) {
                            batch.add(new HistoryStore.Entry(Set.of("t" + (i % 4)), Event.of(data)));
                        }
                        long events = 0;
                        long start = System.nanoTime();
                        long end = start + 3_000_000_000L;
                        long batches = 0;
                        while (System.nanoTime() < end) {
                            store.append(batch);
                            events += size;
                            batches++;
                        }
                        double s = (System.nanoTime() - start) / 1e9;
                        if (round == 1) {
                            System.out.printf("postgresql%s batch %2d: %,8.0f events/s, %,6.0f batches/s%n",
                                    rewrite ? " (reWriteBatchedInserts)" : "", size, events / s, batches / s);
                        }
                    }
                }
            } finally {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    for (String t : new String[]{"event_topic", "event", "topic", "meta"}) {
                        s.execute("DROP TABLE IF EXISTS " + prefix + t);
                    }
                }
            }
        }
    }
}
