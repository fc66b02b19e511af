package dev.ssekit.app;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On stop, every subscriber gets what was acknowledged, then a last {@code retry:} hint, then a clean
 * end of stream; with a durable store, a client that reconnects to the next node gets the rest by
 * replay.
 */
class GracefulShutdownTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void close_writesQueuedEventsThenRetryHintThenEndsTheStream() throws Exception {
        EmbeddedHub hub = Hubs.start(Map.of("ssekit.shutdown.retry", "3s", "ssekit.hub.jwt.secret", Tokens.SECRET));
        String token = Tokens.publisher("*");
        List<String> acknowledged = new ArrayList<>();
        try (RawSseClient c = MercureClient.subscribeRaw(hub.uri(), "topic=bye", Map.of())) {
            for (int i = 0; i < 50; i++) {
                acknowledged.add(MercureClient.publish(hub.uri(), token, "bye", "event " + i));
            }
            hub.close();
            assertTrue(c.awaitEnd(WAIT), "the stream must end");
            assertNull(c.failure(), "a clean end of stream (the chunked terminator), not a reset");
            assertEquals(acknowledged, c.drain().stream().map(RawSseClient.Received::id).toList());
            // Last: the hint, with no data line, so browsers dispatch nothing (Jersey adds a blank line).
            assertTrue(c.rawText().matches("(?s).*\n\n: closing\nretry: 3000\n\n+"), c.rawText());
        } finally {
            hub.close();
        }
    }

    @Test
    void close_whilePublishing_noAcknowledgedEventLost_nextNodeReplaysTheRest() throws Exception {
        Path db = Path.of("target", "shutdown-" + UUID.randomUUID()).toAbsolutePath();
        Map<String, String> settings = Map.of("ssekit.history.store", "jdbc",
                "ssekit.history.jdbc.url", "jdbc:h2:file:" + db, "ssekit.hub.jwt.secret", Tokens.SECRET);
        String token = Tokens.publisher("*");
        EmbeddedHub first = Hubs.start(settings);
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        CountDownLatch some = new CountDownLatch(20);
        List<String> seen = new ArrayList<>();
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 0; ; i++) {
                    HttpResponse<String> r = MercureClient.post(first.uri(), "topic=node&data=" + i,
                            Tokens.bearer(token));
                    if (r.statusCode() != 200) {
                        return; // 503 once the hub is closing: not acknowledged
                    }
                    acknowledged.add(r.body());
                    some.countDown();
                }
            } catch (Exception e) {
                // the server went away mid-request: that publish was not acknowledged
            }
        }, "publisher");
        try (RawSseClient c = MercureClient.subscribeRaw(first.uri(), "topic=node", Map.of())) {
            publisher.start();
            assertTrue(some.await(30, TimeUnit.SECONDS));
            first.close();
            publisher.join(TimeUnit.SECONDS.toMillis(30));
            assertTrue(c.awaitEnd(WAIT));
            c.drain().forEach(e -> seen.add(e.id()));
            assertTrue(c.rawText().matches("(?s).*\n: closing\nretry: 5000\n\n+"), "the default hint, 5 s");
        } finally {
            first.close();
        }
        EmbeddedHub next = Hubs.start(settings);
        try (RawSseClient c = MercureClient.subscribeRaw(next.uri(), "topic=node",
                Map.of("Last-Event-ID", seen.get(seen.size() - 1)))) {
            MercureClient.publish(next.uri(), token, "node", "END");
            RawSseClient.Received e;
            while (!"END".equals((e = c.next(WAIT)).data())) {
                seen.add(e.id());
            }
        } finally {
            next.close();
        }
        assertEquals(seen.size(), new HashSet<>(seen).size(), "no duplicate");
        Set<String> got = new HashSet<>(seen);
        List<String> lost = acknowledged.stream().filter(id -> !got.contains(id)).toList();
        assertEquals(List.of(), lost, "acknowledged but never delivered");
        // In order: the acknowledged ids appear in the order they were acknowledged.
        assertEquals(acknowledged, seen.stream().filter(acknowledged::contains).toList());
    }

    /**
     * A stream whose client left before the stop owes nobody anything: the stop must not wait for it.
     * Grizzly's graceful shutdown counted it as a request never finished, and the stop took its whole
     * timeout; with a timeout of ten minutes, a stop that waits for it does not end within the wait.
     */
    @Test
    void close_afterAClientLeft_doesNotWaitOutTheShutdownTimeout() throws Exception {
        EmbeddedHub hub = Hubs.start(Map.of("ssekit.shutdown.timeout", "10m"));
        try {
            try (RawSseClient left = MercureClient.subscribeRaw(hub.uri(), "topic=gone", Map.of());
                 RawSseClient staying = MercureClient.subscribeRaw(hub.uri(), "topic=stay", Map.of())) {
                left.close();
                java.util.concurrent.CompletableFuture<Void> stop =
                        java.util.concurrent.CompletableFuture.runAsync(hub::close);
                stop.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertTrue(staying.awaitEnd(WAIT), "the client still there gets its clean end");
                assertNull(staying.failure(), "a clean end of stream, not a reset");
            }
        } finally {
            hub.close();
        }
    }
}
