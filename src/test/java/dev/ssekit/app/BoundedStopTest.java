package dev.ssekit.app;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.testsupport.HubProcess;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.TcpProxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a hub process on a bad day: its PostgreSQL or Redis goes silent (a proxy of the test's own
 * stops forwarding, as a partition would) just before, publishers are running, and 40 clients never
 * read their streams, on a hub patient with slow clients and a slow store (write and publish timeouts of 30 s, a JDBC
 * network timeout of 60 s, a Redis command timeout of 30 s). The stop is held to {@code ssekit.shutdown.timeout} (its default, 20 s): the
 * process exits within it plus a margin for the JVM, so within Kubernetes' default 30 s grace; a
 * publish sent during the stop is answered 503 at once (or refused once the server is down), never
 * held; the stream that reads gets the retry hint; and every acknowledged publish is in history.
 *
 * <p>On ddf612c the publishes sent during the stop waited on the registry's lock, which the stop
 * held for its whole length (503 after 12 to 14 s); with that lock released alone the process still
 * ran past 30 s, the stop waiting the write timeout for the stalled streams after 10 s for the
 * publishes.
 */
class BoundedStopTest {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20); // the default
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(10);
    /** A publish refused by a stopping hub is answered within this, however loaded the machine. */
    private static final Duration PROMPT = Duration.ofSeconds(2);
    private static final int PUBLISHERS = 4;
    private static final int STALLED = 40;
    private static final String PREFIX = "ssekit_stop_";
    private static final ExecutorService PROBES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stop-probe");
        t.setDaemon(true);
        return t;
    });

    /** One publish sent during the stop: when it left, how long its answer took, and what it was. */
    private record Probe(long sentNanos, long tookNanos, String outcome) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "redis"})
    void sigterm_storeSilentAndClientsStalled_exitsWithinTheShutdownTimeoutRefusingPublishesAtOnce(String kind)
            throws Exception {
        boolean redis = kind.equals("redis");
        String redisPrefix = "ssekit-stop-" + UUID.randomUUID() + ":";
        if (redis) {
            Services.requireRedis();
        } else {
            Services.requirePostgres();
            dropTables();
        }
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        List<Socket> stalled = new ArrayList<>();
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", redis ? 6379 : 5432);
             HubProcess hub = HubProcess.start(redis ? Map.of("SSEKIT_HISTORY_STORE", "redis",
                     "SSEKIT_HISTORY_REDIS_URI", "redis://127.0.0.1:" + proxy.port(),
                     "SSEKIT_HISTORY_REDIS_KEY_PREFIX", redisPrefix,
                     // Patient with slow clients and a slow store: the stop must not wait that long.
                     "SSEKIT_WRITE_TIMEOUT", "30s", "SSEKIT_PUBLISH_TIMEOUT", "30s",
                     "SSEKIT_HISTORY_REDIS_COMMAND_TIMEOUT", "30s")
                     : Map.of("SSEKIT_HISTORY_STORE", "jdbc",
                     "SSEKIT_HISTORY_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test",
                     "SSEKIT_HISTORY_JDBC_USER", Services.POSTGRES_USER,
                     "SSEKIT_HISTORY_JDBC_TABLE_PREFIX", PREFIX,
                     "SSEKIT_WRITE_TIMEOUT", "30s", "SSEKIT_PUBLISH_TIMEOUT", "30s",
                     "SSEKIT_HISTORY_JDBC_STATEMENT_TIMEOUT", "30s", "SSEKIT_HISTORY_JDBC_NETWORK_TIMEOUT", "60s"))) {
            RawSseClient live = MercureClient.subscribeRaw(hub.uri(), "topic=s", Map.of());
            for (int i = 0; i < STALLED; i++) {
                stalled.add(stalledClient(hub.uri().getPort()));
            }
            String data = "x".repeat(4096);
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                Thread t = new Thread(() -> {
                    for (int i = 0; ; i++) {
                        try {
                            HttpResponse<String> r = MercureClient.post(hub.uri(),
                                    "topic=s&data=" + publisher + "-" + i + "-" + data);
                            if (r.statusCode() == 200) {
                                acknowledged.add(r.body());
                                continue;
                            }
                            if (r.statusCode() != 503) {
                                unexpected.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            // no answer (the server stopped listening, or closed the connection): not acknowledged
                        }
                        return;
                    }
                }, "stop-publisher-" + p);
                t.setDaemon(true);
                publishers.add(t);
                t.start();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 200);

            proxy.blackhole();
            hub.signalTerm();
            long termAt = System.nanoTime();
            // The JVM starts the shutdown hook within milliseconds; publishes sent a second later
            // reach a stopping hub.
            long stopping = termAt + Duration.ofSeconds(1).toNanos();

            // Publishes during the stop, one every 100 ms, each answered or not on its own.
            List<CompletableFuture<Probe>> probes = new ArrayList<>();
            await().atMost(SHUTDOWN_TIMEOUT.plus(EXIT_MARGIN)).pollInterval(Duration.ofMillis(100)).until(() -> {
                probes.add(probe(hub.uri()));
                return !hub.isAlive();
            });
            long exitedAfter = System.nanoTime() - termAt;
            proxy.restore();

            List<Probe> answered = new ArrayList<>();
            for (CompletableFuture<Probe> f : probes) {
                answered.add(f.join());
            }
            List<Probe> late = answered.stream()
                    .filter(p -> p.sentNanos() - stopping > 0)
                    .filter(p -> !p.outcome().equals("503") && !p.outcome().equals("refused")
                            || p.tookNanos() > PROMPT.toNanos())
                    .toList();
            assertEquals(List.of(), late.stream().map(p -> p.outcome() + " after "
                    + Duration.ofNanos(p.tookNanos()).toMillis() + " ms").toList(), "publishes during the stop not "
                    + "refused within " + PROMPT + " (of " + answered.size() + "); hub output:\n" + hub.output());
            assertTrue(answered.stream().anyMatch(p -> p.outcome().equals("503")), answered.toString());
            System.out.println("BoundedStopTest: exited " + Duration.ofNanos(exitedAfter).toMillis()
                    + " ms after SIGTERM; slowest refusal " + answered.stream().filter(p -> p.sentNanos() > stopping)
                    .mapToLong(Probe::tookNanos).max().orElse(0) / 1_000_000 + " ms");
            assertTrue(exitedAfter < SHUTDOWN_TIMEOUT.plus(EXIT_MARGIN).toNanos(),
                    "exited after " + Duration.ofNanos(exitedAfter));

            assertTrue(live.awaitEnd(Duration.ofSeconds(5)), "the reading stream ended");
            assertNull(live.failure(), "a clean end of stream, not a reset");
            String text = live.rawText();
            assertTrue(text.endsWith("\n: closing\nretry: 5000\n\n"), "the last words: "
                    + text.substring(Math.max(0, text.length() - 200)));
            for (Thread t : publishers) {
                t.join(Duration.ofSeconds(30).toMillis());
            }
            assertEquals(List.of(), unexpected, "answers other than 200 and 503");
            live.close();
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        if (redis) {
            try (RedisHistoryStore history = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(redisPrefix).build()) {
                assertNothingLost(acknowledged, history);
            } finally {
                RedisKeys.deleteAll(redisPrefix);
            }
            return;
        }
        PGSimpleDataSource direct = Services.postgres();
        try (JdbcHistoryStore history = JdbcHistoryStore.builder(direct).tablePrefix(PREFIX).pruneInterval(null)
                .build()) {
            assertNothingLost(acknowledged, history);
        } finally {
            dropTables();
        }
    }

    private static void assertNothingLost(List<String> acknowledged, HistoryStore history) {
        Set<String> kept = Set.copyOf(history.read(Set.of("s"), "earliest", null).events().stream()
                .map(e -> e.id().orElseThrow()).toList());
        List<String> lost = acknowledged.stream().filter(id -> !kept.contains(id)).toList();
        assertEquals(List.of(), lost, "acknowledged but not in history");
    }

    /** A subscriber that never reads, with a receive buffer as small as the system allows. */
    private static Socket stalledClient(int port) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /" + MercureClient.PATH + "?topic=s HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /**
     * Publishes once on a connection of its own, asynchronously; the outcome is the status,
     * "refused", or what else happened.
     */
    private static CompletableFuture<Probe> probe(URI hub) {
        long sent = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> {
            String outcome;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", hub.getPort()), 5000);
                s.setSoTimeout((int) SHUTDOWN_TIMEOUT.plus(EXIT_MARGIN).toMillis());
                String body = "topic=s&data=during-stop";
                OutputStream out = s.getOutputStream();
                out.write(("POST /" + MercureClient.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + hub.getPort()
                        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                outcome = line == null ? "closed without an answer" : line.replaceFirst("^HTTP/1.1 (\\d+).*", "$1");
            } catch (ConnectException e) {
                outcome = "refused";
            } catch (IOException e) {
                outcome = e.toString();
            }
            return new Probe(sent, System.nanoTime() - sent, outcome);
        }, PROBES);
    }

    private static void dropTables() throws Exception {
        Services.dropStoreTables(PREFIX);
    }
}
