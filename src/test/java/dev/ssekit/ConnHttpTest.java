package dev.ssekit;

import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.StreamServerTest;
import dev.ssekit.testsupport.WireCases;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conn over real HTTP: lifecycle, headers and the exact bytes on the wire. */
class ConnHttpTest extends StreamServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @Override
    protected Hub.Builder topicsBuilder() {
        return Hub.builder().heartbeat(Duration.ofMillis(300));
    }

    private RawSseClient open(String path) throws Exception {
        RawSseClient c = RawSseClient.open(getBaseUri(), path, Map.of());
        assertEquals(200, c.awaitStatus(WAIT));
        return c;
    }

    private Conn opened() throws InterruptedException {
        Conn conn = resource.opened.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(conn != null, "the resource opened no connection");
        return conn;
    }

    @Test
    void open_sendsConnectedCommentAndStreamHeadersAtOnce() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            opened();
            await().atMost(WAIT).until(() -> client.rawText().startsWith(": connected\n\n"));
            assertEquals("text/event-stream", client.header("Content-Type"));
            assertEquals("no-cache", client.header("Cache-Control"));
            assertEquals("no", client.header("X-Accel-Buffering"));
        }
    }

    @Test
    void send_writesExactWireFormat() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            Conn conn = opened();
            Event event = Event.of("line1\r\nline2\rline3\n").withType("greeting").withId("msg-1")
                    .withRetry(Duration.ofMillis(2500));
            conn.send(event).toCompletableFuture().get(10, TimeUnit.SECONDS);
            conn.send(Event.comment("multi\nline")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            conn.send(Event.of("żółw 🐢")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            // Each event exactly as framed, then Jersey's chunk delimiter: one LF (see FrameWriter).
            String expected = ": connected\n\n\n" + event.toWireFormat() + "\n"
                    + Event.comment("multi\nline").toWireFormat() + "\n" + Event.of("żółw 🐢").toWireFormat() + "\n";
            await().atMost(WAIT).untilAsserted(
                    () -> assertEquals(expected, client.rawText().replace(": heartbeat\n\n\n", "")));

            RawSseClient.Received first = client.next(WAIT);
            assertEquals(new RawSseClient.Received("msg-1", "greeting", "line1\nline2\nline3\n", 2500L), first);
            assertEquals("żółw 🐢", client.next(WAIT).data());
        }
    }

    @Test
    void send_keepsBlankLinesEmptyDataAndMultiLineCommentsExactly() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            Conn conn = opened();
            StringBuilder expected = new StringBuilder(": connected\n\n\n");
            for (String data : WireCases.DATA) {
                conn.send(Event.of(data).withType("t")).toCompletableFuture().get(10, TimeUnit.SECONDS);
                expected.append(Event.of(data).withType("t").toWireFormat()).append('\n');
            }
            for (String comment : WireCases.COMMENTS) {
                conn.send(Event.comment(comment)).toCompletableFuture().get(10, TimeUnit.SECONDS);
                expected.append(Event.comment(comment).toWireFormat()).append('\n');
            }
            for (String data : WireCases.DATA) {
                assertEquals(new RawSseClient.Received(null, "t", WireCases.parsed(data), null), client.next(WAIT),
                        "sent " + WireCases.show(data));
            }
            await().atMost(WAIT).untilAsserted(() -> assertEquals(expected.toString(),
                    client.rawText().replace(": heartbeat\n\n\n", "")));
        }
    }

    @Test
    void ownEventsOfTheApplication_keepTheContainersWriter() throws Exception {
        // SseKitFeature is registered, and ssekit's writer applies to ssekit's events only: an
        // event the application builds itself is framed by Jersey as it always was.
        try (RawSseClient client = open("/s/own?data=a%0Ab")) {
            assertTrue(client.awaitEnd(WAIT));
            assertEquals("event: own\ndata: a\ndata: b\n\n", client.rawText());
        }
    }

    @Test
    void close_isIdempotentEndsStreamAndRefusesSends() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            Conn conn = opened();
            CompletableFuture<Void> queued = conn.send(Event.of("last words")).toCompletableFuture();
            conn.close();
            conn.close();
            assertTrue(conn.isClosed());
            assertEquals(Conn.CloseReason.CLOSED, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
            queued.get(10, TimeUnit.SECONDS); // queued before close: still written
            assertTrue(client.awaitEnd(WAIT), "the stream must end");
            assertEquals("last words", client.next(WAIT).data());
            ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> conn.send(Event.of("late")));
            assertEquals(Conn.CloseReason.CLOSED, e.reason());
            assertEquals("connection is closed (CLOSED)", e.getMessage());
        }
    }

    @Test
    void done_completesWhenClientDisconnects() throws Exception {
        Conn conn;
        try (RawSseClient client = open("/s/standalone")) {
            conn = opened();
            await().atMost(WAIT).until(() -> client.rawText().startsWith(": connected"));
        }
        // Only a write can notice; the 300 ms heartbeat makes one.
        assertEquals(Conn.CloseReason.CLIENT_GONE, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertThrows(ConnectionClosedException.class, () -> conn.send(Event.of("x")));
    }

    @Test
    void heartbeat_keepsIdleConnectionWritten() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            opened();
            await().atMost(WAIT).until(() -> client.comments() >= 3);
            assertTrue(client.rawText().contains(": heartbeat\n\n"));
        }
    }

    @Test
    void writeTimeout_cutsAClientThatStopsReading() throws Exception {
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress("127.0.0.1", getBaseUri().getPort()));
            // A queue too big to overflow here: only the stalled write can end this connection.
            stuck.getOutputStream().write(("GET /s/standalone?capacity=100000&maxBytes=1000000000&writeTimeoutMs=500 HTTP/1.1\r\n"
                    + "Host: x\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Conn conn = opened();
            String big = "z".repeat(64 * 1024);
            try {
                for (int i = 0; i < 2000; i++) {
                    conn.send(Event.of(big));
                }
            } catch (ConnectionClosedException expected) {
                // cut while we were still sending: what this test waits for
            }
            assertEquals(Conn.CloseReason.WRITE_TIMEOUT, conn.done().toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void queueCapacity_cutsAClientThatStopsReadingAtTheFirstEventPastIt() throws Exception {
        // Nothing but the event count can cut it: bytes, delay and write timeout far out of reach.
        List<CompletableFuture<Void>> queued = sendUntilCut(
                "capacity=50&maxBytes=1000000000&maxDelayMs=600000&writeTimeoutMs=600000", "q".repeat(1000));
        assertEquals(50, queued.size(), "events waiting when the 51st came");
    }

    @Test
    void queueMaxBytes_cutsAClientThatStopsReadingAtTheFirstEventPastIt() throws Exception {
        String data = "b".repeat(1000);
        int frame = ("data: " + data + "\n\n").length();
        List<CompletableFuture<Void>> queued = sendUntilCut(
                "capacity=100000&maxBytes=" + (20 * frame + frame / 2) + "&maxDelayMs=600000&writeTimeoutMs=600000",
                data);
        assertEquals(20, queued.size(), "events waiting when the next would have passed 20.5 frames");
    }

    /**
     * Opens a connection whose client stops reading, sends events of {@code data} until one is refused,
     * and returns the receipts of the events the cut dropped from the queue. Every event before the
     * refused one was accepted; those the client's socket had taken were written or in flight.
     */
    private List<CompletableFuture<Void>> sendUntilCut(String query, String data) throws Exception {
        // The resource's queue is the class's: a connection another test opened and left there
        // would be taken for this one (already cut, it refuses the first event).
        resource.opened.clear();
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress("127.0.0.1", getBaseUri().getPort()));
            stuck.getOutputStream().write(("GET /s/standalone?" + query + " HTTP/1.1\r\n"
                    + "Host: x\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Conn conn = opened();
            List<CompletableFuture<Void>> receipts = new ArrayList<>();
            ConnectionClosedException refused = null;
            for (int i = 0; i < 200_000 && refused == null; i++) {
                try {
                    receipts.add(conn.send(Event.of(data)).toCompletableFuture());
                } catch (ConnectionClosedException e) {
                    refused = e;
                }
            }
            assertTrue(refused != null, "never cut");
            assertTrue(!receipts.isEmpty(), "the first event was refused: " + refused.reason());
            assertEquals(Conn.CloseReason.SLOW_CONSUMER, refused.reason());
            assertEquals(Conn.CloseReason.SLOW_CONSUMER, conn.done().toCompletableFuture().get(30, TimeUnit.SECONDS));
            List<CompletableFuture<Void>> dropped = new ArrayList<>();
            for (CompletableFuture<Void> r : receipts) {
                try {
                    r.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof ConnectionClosedException c && c.reason() == Conn.CloseReason.SLOW_CONSUMER) {
                        dropped.add(r);
                    }
                }
            }
            return dropped;
        }
    }

    @Test
    void queueMaxDelay_cutsAClientThatReadsTooSlowlyToCatchUp() throws Exception {
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", getBaseUri().getPort()));
            slow.getOutputStream().write(("GET /s/standalone?capacity=100000&maxBytes=1000000000&maxDelayMs=500"
                    + "&writeTimeoutMs=600000 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Conn conn = opened();
            // A trickle reader: 1 KB every 20 ms, far slower than the events come.
            java.util.concurrent.ScheduledExecutorService reader = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            try {
                byte[] chunk = new byte[1024];
                reader.scheduleAtFixedRate(() -> {
                    try {
                        slow.getInputStream().read(chunk);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, 0, 20, TimeUnit.MILLISECONDS);
                String data = "t".repeat(16 * 1024);
                try {
                    for (int i = 0; i < 20_000 && !conn.isClosed(); i++) {
                        conn.send(Event.of(data));
                    }
                } catch (ConnectionClosedException expected) {
                    // cut while we were still sending
                }
                assertEquals(Conn.CloseReason.SLOW_CONSUMER, conn.done().toCompletableFuture().get(30, TimeUnit.SECONDS));
            } finally {
                reader.shutdownNow();
            }
        }
    }

    @Test
    void maxLifetime_closesTheConnection() throws Exception {
        try (RawSseClient client = open("/s/standalone?lifetimeMs=400")) {
            Conn conn = opened();
            assertEquals(Conn.CloseReason.LIFETIME_EXPIRED, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertTrue(client.awaitEnd(WAIT));
        }
    }

    @Test
    void builder_refusesBadSettingsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Hub.builder().queueCapacity(0));
        assertEquals("queueCapacity must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Hub.builder().heartbeat(Duration.ofSeconds(-1)));
        assertEquals("heartbeat must be positive, got PT-1S", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> topics.open(null));
        assertEquals("sink must not be null", e.getMessage());
    }
}
