package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.testsupport.Services;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A quick measurement, not a test: the time from a publish on node A to its delivery to a subscriber
 * on node A and on node B (and from its acknowledgment, when the publisher returns, to its delivery),
 * two registries on JDBC stores of their own over the PostgreSQL at
 * 127.0.0.1:5432 (database test, a HikariCP pool each), at a steady rate from eight publishers.
 * {@code mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ssekit.history.FollowLatency -Dexec.args="1000 10"}
 * (publishes per second, seconds measured after two of warm-up).
 */
public final class FollowLatency {
    private static final int PUBLISHERS = 8;

    private FollowLatency() {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmUp = 2 * rate;
        int total = warmUp + seconds * rate;
        String prefix = Services.tablePrefix("ssekit_lat");
        try (HikariDataSource poolA = pool(); HikariDataSource poolB = pool()) {
            try (HistoryStore storeA = JdbcHistoryStore.builder(poolA).tablePrefix(prefix).pruneInterval(null).build();
                 HistoryStore storeB = JdbcHistoryStore.builder(poolB).tablePrefix(prefix).pruneInterval(null).build();
                 Hub a = Hub.builder().history(storeA).build();
                 Hub b = Hub.builder().history(storeB).build()) {
                AtomicLongArray published = new AtomicLongArray(total);
                AtomicLongArray acknowledged = new AtomicLongArray(total);
                Timed onA = new Timed(total);
                Timed onB = new Timed(total);
                a.subscribe(a.open(onA), List.of("bench"), null);
                b.subscribe(b.open(onB), List.of("bench"), null);
                long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                long interval = TimeUnit.SECONDS.toNanos(1) / rate;
                ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
                List<Future<?>> publishers = new ArrayList<>();
                for (int t = 0; t < PUBLISHERS; t++) {
                    int first = t;
                    publishers.add(pool.submit(() -> {
                        for (int n = first; n < total; n += PUBLISHERS) {
                            long due = start + n * interval;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait);
                            }
                            published.set(n, System.nanoTime());
                            a.publish(List.of("bench"), Event.of(Integer.toString(n)));
                            acknowledged.set(n, System.nanoTime());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : publishers) {
                    f.get();
                }
                double took = (System.nanoTime() - start) / 1e9;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((onA.count() < total || onB.count() < total) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                pool.shutdown();
                System.out.printf("%,d publishes in %.1f s (%,.0f/s); delivered on A %,d, on B %,d%n", total, took,
                        total / took, onA.count(), onB.count());
                System.out.println("missing on A: " + onA.missing(20) + ", on B: " + onB.missing(20) + "; closed: "
                        + onA.closed + ", " + onB.closed);
                report("publish to delivery, same node (A to A) ", onA, published, warmUp, total);
                report("publish to delivery, other node (A to B)", onB, published, warmUp, total);
                report("acknowledged to delivery, same node     ", onA, acknowledged, warmUp, total);
                report("acknowledged to delivery, other node    ", onB, acknowledged, warmUp, total);
            } finally {
                Services.dropStoreTables(poolA, prefix);
            }
        }
    }

    private static HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Services.POSTGRES_URL);
        config.setUsername(Services.POSTGRES_USER);
        config.setMaximumPoolSize(PUBLISHERS + 2);
        return new HikariDataSource(config);
    }

    private static void report(String name, Timed sink, AtomicLongArray published, int from, int to) {
        long[] micros = new long[to - from]; // negative: delivered before the publisher returned
        int n = 0;
        for (int i = from; i < to; i++) {
            long at = sink.at.get(i);
            if (at != 0) {
                micros[n++] = (at - published.get(i)) / 1000;
            }
        }
        if (n == 0) {
            System.out.printf("%s: nothing delivered%n", name);
            return;
        }
        long[] got = Arrays.copyOf(micros, n);
        Arrays.sort(got);
        System.out.printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%,d events)%n", name, got[n / 2] / 1000.0,
                got[Math.min(n - 1, (int) (n * 0.99))] / 1000.0, got[n - 1] / 1000.0, n);
    }

    /** A sink that notes when each event (its data: its number) was handed to it. */
    private static final class Timed implements SseEventSink {
        final AtomicLongArray at;
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        Timed(int total) {
            this.at = new AtomicLongArray(total);
        }

        volatile boolean closed;

        int count() {
            return count.get();
        }

        List<Integer> missing(int most) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < at.length() && out.size() < most; i++) {
                if (at.get(i) == 0) {
                    out.add(i);
                }
            }
            return out;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            long now = System.nanoTime();
            if (event instanceof FramedEvent batch) {
                for (String line : new String(batch.frameBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.startsWith("data: ")) {
                        note(line.substring(6), now);
                    }
                }
            } else if (event.getData() != null) {
                note(String.valueOf(event.getData()), now);
            }
            return CompletableFuture.completedFuture(null);
        }

        private void note(String data, long now) {
            try {
                int n = Integer.parseInt(data.trim());
                if (n >= 0 && n < at.length() && at.compareAndSet(n, 0, now)) {
                    count.incrementAndGet();
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
