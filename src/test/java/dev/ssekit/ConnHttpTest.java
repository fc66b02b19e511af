package dev.ssekit;

import dev.ssekit.testkit.RawSseClient;
import dev.ssekit.testkit.StreamServerTest;
import dev.ssekit.testkit.WireCases;


import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conn over real HTTP: lifecycle, headers and the exact bytes on the wire. */
class ConnHttpTest extends StreamServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @Override
    protected Topics.Builder topicsBuilder() {
        return Topics.builder().heartbeat(Duration.ofMillis(300));
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
            conn.comment("multi\nline").toCompletableFuture().get(10, TimeUnit.SECONDS);
            conn.sendData("żółw 🐢").toCompletableFuture().get(10, TimeUnit.SECONDS);
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
                conn.comment(comment).toCompletableFuture().get(10, TimeUnit.SECONDS);
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
    void sendJson_encodesWithJsonb() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            Conn conn = opened();
            conn.sendJson(Map.of("name", "Alice")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("{\"name\":\"Alice\"}", client.next(WAIT).data());
        }
    }

    @Test
    void close_isIdempotentEndsStreamAndRefusesSends() throws Exception {
        try (RawSseClient client = open("/s/standalone")) {
            Conn conn = opened();
            CompletableFuture<Void> queued = conn.sendData("last words").toCompletableFuture();
            conn.close();
            conn.close();
            assertTrue(conn.isClosed());
            assertEquals(Conn.CloseReason.CLOSED, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
            queued.get(10, TimeUnit.SECONDS); // queued before close: still written
            assertTrue(client.awaitEnd(WAIT), "the stream must end");
            assertEquals("last words", client.next(WAIT).data());
            ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> conn.sendData("late"));
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
        assertThrows(ConnectionClosedException.class, () -> conn.sendData("x"));
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
            stuck.getOutputStream().write(("GET /s/standalone?capacity=100000&writeTimeoutMs=500 HTTP/1.1\r\n"
                    + "Host: x\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Conn conn = opened();
            String big = "z".repeat(64 * 1024);
            try {
                for (int i = 0; i < 2000; i++) {
                    conn.sendData(big);
                }
            } catch (ConnectionClosedException expected) {
                // cut while we were still sending: what this test waits for
            }
            assertEquals(Conn.CloseReason.WRITE_TIMEOUT, conn.done().toCompletableFuture().get(30, TimeUnit.SECONDS));
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
                () -> Topics.builder().queueCapacity(0));
        assertEquals("queueCapacity must be at least 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Topics.builder().heartbeat(Duration.ofSeconds(-1)));
        assertEquals("heartbeat must be positive, got PT-1S", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conn.open(null, null));
        assertEquals("sink must not be null", e.getMessage());
    }
}
