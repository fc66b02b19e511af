package dev.ssekit.app;

import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.Hub;
import dev.ssekit.Published;
import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.TcpProxy;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store goes silent while publishers post: a proxy of the test's own in front of PostgreSQL and
 * Redis stops forwarding and keeps every connection open (a partition, a half-open connection). Each
 * publish in flight ends within the store's configured timeout, saying which (503 in the hub, a
 * failed stage in the library); once the proxy forwards again the store serves again, and every
 * acknowledged event is in history.
 */
class StoreBlackholeTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PUBLISHERS = 4;

    /** One publish: its id, or null once it added why to {@code failures}. */
    private interface Attempt {
        String publish(int n, List<String> failures);
    }

    /** What the publishers saw: the ids acknowledged, and each one's first failure. */
    private static final class Publishers {
        final List<String> acknowledged = new CopyOnWriteArrayList<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        /** @param publish publishes event n: its id, or null once it added why to the failures */
        Publishers(Attempt publish) {
            for (int p = 0; p < PUBLISHERS; p++) {
                int base = p * 1_000_000;
                Thread t = new Thread(() -> {
                    for (int n = base; n < base + 100_000; n++) { // bounded: stops at its first failure
                        String id = publish.publish(n, failures);
                        if (id == null) {
                            return;
                        }
                        acknowledged.add(id);
                    }
                }, "blackhole-publisher-" + p);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        /** Blackholes once the publishers are under way, and waits for every one to fail. */
        void blackholeAndAwaitFailures(TcpProxy proxy) {
            await().atMost(WAIT).until(() -> acknowledged.size() >= 20);
            proxy.blackhole();
            // On a store without deadlines these never returned (no answer in 60 s, measured).
            await().atMost(WAIT).until(() -> threads.stream().noneMatch(Thread::isAlive));
            assertEquals(PUBLISHERS, failures.size(), failures.toString());
        }
    }

    @Test
    void publish_postgresGoesSilentDuringAppends_503NamingTheTimeoutThenServesAgainWithNothingLost() throws Exception {
        Services.requirePostgres();
        String prefix = "ssekit_blackhole_";
        // The node's follow reads the database too, and a publish waits for it (edaf413): when the
        // database goes silent, the call in flight that meets the network timeout may be its read.
        Logger feed = Logger.getLogger("dev.ssekit.history.JdbcFeed");
        AtomicBoolean followLost = new AtomicBoolean();
        Handler followWatch = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().startsWith("ssekit: lost the history database while following")) {
                    followLost.set(true);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        feed.addHandler(followWatch);
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432)) {
            Publishers publishers;
            EmbeddedHub hub = Hubs.start(Map.of("ssekit.history.store", "jdbc",
                    "ssekit.history.jdbc.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test",
                    "ssekit.history.jdbc.user", Services.POSTGRES_USER,
                    "ssekit.history.jdbc.table.prefix", prefix,
                    "ssekit.history.jdbc.statement.timeout", "1s",
                    "ssekit.history.jdbc.network.timeout", "2s"));
            try {
                publishers = new Publishers((n, failures) -> {
                    try {
                        HttpResponse<String> r = MercureClient.post(hub.uri(), "topic=bh&data=" + n);
                        if (r.statusCode() == 200) {
                            return r.body();
                        }
                        failures.add(r.statusCode() + " " + r.body().strip());
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                    return null;
                });
                publishers.blackholeAndAwaitFailures(proxy);
                boolean inFlight = false;
                for (String f : publishers.failures) {
                    // The batch in flight: its connection went silent, and the network timeout ended it.
                    boolean network = f.startsWith("503 the event was not acknowledged: history database did not "
                            + "answer the append within the network timeout (2 s; SQLState 08006: ");
                    // Those queued behind it: the pool found no live connection within its 5 s.
                    boolean pool = f.startsWith("503 the event was not acknowledged: history database refused the "
                            + "append (SQLState 08003: ssekit-history - Connection is not available, request timed "
                            + "out after ");
                    // Those after a store call that failed without saying what it kept: refused until the
                    // store says, so that none overtakes an event it may hold (the ambiguous-outcome rule).
                    boolean unresolved = f.startsWith("503 the event was not acknowledged: history store "
                            + "JdbcHistoryStore has not said whether an earlier event, whose store call failed, was "
                            + "stored (");
                    assertTrue(network || pool || unresolved, f);
                    inFlight |= network;
                }
                // The silence was met by a bounded call: a publisher's append (its 503 says so) or the follow's read.
                assertTrue(inFlight || followLost.get(), publishers.failures.toString());

                proxy.restore();
                await().atMost(WAIT).ignoreExceptions().until(() ->
                        MercureClient.post(hub.uri(), "topic=bh&data=back").statusCode() == 200);
            } finally {
                hub.close();
            }
            PGSimpleDataSource direct = Services.postgres();
            try (JdbcHistoryStore history = JdbcHistoryStore.builder(direct).tablePrefix(prefix).pruneInterval(null)
                    .build()) {
                List<String> kept = history.read(Set.of("bh"), "earliest", null).events().stream()
                        .map(e -> e.id().orElseThrow()).toList();
                List<String> lost = new ArrayList<>(publishers.acknowledged);
                lost.removeAll(kept);
                assertEquals(List.of(), lost, "acknowledged but not in history");
            }
        } finally {
            feed.removeHandler(followWatch);
            dropTables(prefix);
        }
    }

    @Test
    void publish_redisGoesSilentDuringAppends_failsNamingTheTimeoutThenServesAgainWithNothingLost()
            throws Exception {
        Services.requireRedis();
        String prefix = "ssekit-blackhole:";
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 6379);
             Hub topics = Hub.builder().config(Map.of("ssekit.history.store", "redis",
                     "ssekit.history.redis.uri", "redis://127.0.0.1:" + proxy.port(),
                     "ssekit.history.redis.key.prefix", prefix,
                     "ssekit.history.redis.command.timeout", "1s")).build()) {
            Publishers publishers = new Publishers((n, failures) -> {
                try {
                    // Outside a transaction the store's answer is known at the call: a failure is thrown.
                    Published published = topics.publish(List.of("bh"), Event.of("e" + n));
                    return published.stored().toCompletableFuture().join();
                } catch (HistoryStoreException e) {
                    failures.add(e.getClass().getSimpleName() + ": " + e.getMessage());
                    return null;
                }
            });
            publishers.blackholeAndAwaitFailures(proxy);
            for (String f : publishers.failures) {
                assertEquals(HistoryStoreException.class.getSimpleName()
                        + ": Redis did not answer the append within the command timeout (1 s)", f);
            }

            proxy.restore();
            await().atMost(WAIT).ignoreExceptions().until(() ->
                    topics.publish(List.of("bh"), Event.of("back")).stored().toCompletableFuture().join() != null);
            try (RedisHistoryStore direct = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).build()) {
                List<String> kept = direct.read(Set.of("bh"), "earliest", null).events().stream()
                        .map(e -> e.id().orElseThrow()).toList();
                List<String> lost = new ArrayList<>(publishers.acknowledged);
                lost.removeAll(kept);
                assertEquals(List.of(), lost, "acknowledged but not in history");
                assertFalse(kept.isEmpty());
            }
        } finally {
            RedisKeys.deleteAll(prefix);
        }
    }

    private static void dropTables(String prefix) throws Exception {
        Services.dropStoreTables(prefix);
    }
}
