package dev.ssekit.testkit;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.MercureClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorder itself: its ends, its failure messages, its checks; against the embedded hub on loopback. */
class SseRecorderTest {
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = EmbeddedHub.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static URI topic(String name) {
        return hub.uri().resolve(MercureClient.PATH + "?topic=" + name);
    }

    private static String publish(String topic, String data) throws Exception {
        return MercureClient.publish(hub.uri(), topic, data);
    }

    @Test
    void assertEvent_otherData_failureShowsWhatArrived() throws Exception {
        try (SseRecorder events = SseRecorder.to(topic("mismatch")).open()) {
            String id = publish("mismatch", "one");
            AssertionError e = assertThrows(AssertionError.class, () -> events.assertEvent(id, null, "other"));
            assertTrue(e.getMessage().startsWith("expected {id=\"" + id + "\", type=null, data=\"other\"} but got {id=\""
                    + id + "\", type=null, data=\"one\"}"), e.getMessage());
            assertTrue(e.getMessage().contains("events received: 1, taken: 1\n    taken {id=\"" + id), e.getMessage());
            assertTrue(e.getMessage().contains("status: 200"), e.getMessage());
        }
    }

    @Test
    void assertData_exactDataInOrder() throws Exception {
        try (SseRecorder events = SseRecorder.to(topic("data")).open()) {
            String a = publish("data", "a");
            publish("data", "b");
            List<ReceivedEvent> got = events.assertData("a", "b");
            assertEquals(a, got.get(0).id());
            publish("data", "c");
            publish("data", "d");
            AssertionError e = assertThrows(AssertionError.class, () -> events.assertData("d", "c"));
            assertTrue(e.getMessage().startsWith("expected data [\"d\", \"c\"] but got [\"c\", \"d\"]"), e.getMessage());
        }
    }

    @Test
    void assertExhausted_eventNotTaken_failsNamingIt() throws Exception {
        // A long window: the assertion returns as soon as an unexpected event is there.
        try (SseRecorder events = SseRecorder.to(topic("extra")).quietWindow(Duration.ofSeconds(30)).open()) {
            publish("extra", "expected");
            String extra = publish("extra", "unexpected");
            events.assertData("expected");
            AssertionError e = assertThrows(AssertionError.class, events::assertExhausted);
            assertTrue(e.getMessage().startsWith("expected no further event but got [{id=\"" + extra
                    + "\", type=null, data=\"unexpected\"}]"), e.getMessage());
            assertTrue(e.getMessage().contains("events received: 2, taken: 1"), e.getMessage());
        }
    }

    @Test
    void takeEvent_nothingWithinTheTimeout_failsSayingSo() {
        try (SseRecorder events = SseRecorder.to(topic("silent")).timeout(Duration.ofMillis(300)).open()) {
            AssertionError e = assertThrows(AssertionError.class, events::takeEvent);
            assertTrue(e.getMessage().startsWith("expected an event within PT0.3S\n  stream: GET " + topic("silent")),
                    e.getMessage());
            assertTrue(e.getMessage().contains("ended: not yet"), e.getMessage());
        }
    }

    @Test
    void open_refused_endsWithHttpStatusAndBody() {
        try (SseRecorder events = SseRecorder.to(hub.uri().resolve(MercureClient.PATH)).open()) {
            assertEquals(400, events.status());
            StreamEnd end = events.assertEnded(StreamEnd.Reason.HTTP_STATUS);
            assertEquals(400, end.status());
            assertTrue(end.body().startsWith("topic: at least one topic matcher is required (match, match_urlpattern or topic)"), end.body());
            AssertionError e = assertThrows(AssertionError.class, events::takeEvent);
            assertTrue(e.getMessage().startsWith("expected an event but the stream ended: HTTP_STATUS (status 400"),
                    e.getMessage());
        }
    }

    @Test
    void open_notAnEventStream_endsWithNotEventStream() {
        try (SseRecorder page = SseRecorder.to(hub.uri()).header("Accept", "text/html").open()) {
            assertEquals(200, page.status());
            assertTrue(page.header("content-type").startsWith("text/html"), page.header("content-type"));
            StreamEnd end = page.assertEnded(StreamEnd.Reason.NOT_EVENT_STREAM);
            assertTrue(end.body().contains("new EventSource(url)"), end.body());
        }
    }

    @Test
    void close_endsWithClientClosed() {
        SseRecorder events = SseRecorder.to(topic("closing")).open();
        events.close();
        assertEquals(StreamEnd.Reason.CLIENT_CLOSED, events.assertEnded(StreamEnd.Reason.CLIENT_CLOSED).reason());
        events.close(); // idempotent
    }

    @Test
    void connectionBrokenMidChunk_endsWithBrokenAfterTheEventsBefore() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "d\r\ndata: whole\n\n\r\n" + "20\r\ndata: cut").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SseRecorder events = SseRecorder.to(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/s"))
                    .open()) {
                events.assertEvent(null, null, "whole");
                StreamEnd end = events.assertEnded(StreamEnd.Reason.BROKEN);
                assertTrue(end.toString().startsWith("BROKEN (java.io.IOException: the connection broke before the response "
                        + "ended"), end.toString());
            }
            served.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void open_nobodyListening_statusFailsSayingWhy() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (SseRecorder events = SseRecorder.to(URI.create("http://127.0.0.1:" + port + "/s")).open()) {
            AssertionError e = assertThrows(AssertionError.class, events::status);
            assertTrue(e.getMessage().startsWith("no response head: BROKEN (java.net.ConnectException"), e.getMessage());
            assertInstanceOf(ConnectException.class, events.assertEnded(StreamEnd.Reason.BROKEN).failure());
        }
    }

    @Test
    void reconnect_sendsTheLastIdTakenElseTheOriginalOne() throws Exception {
        String a = publish("again", "a");
        String b = publish("again", "b");
        publish("again", "c");
        try (SseRecorder first = SseRecorder.to(topic("again")).header("Last-Event-ID", a).open();
             SseRecorder same = first.reconnect()) {
            assertEquals(a, same.header("Mercure-Last-Event-ID"), "no event taken: the original Last-Event-ID");
            same.assertData("b");
            assertEquals(b, same.lastEventId());
            try (SseRecorder after = same.reconnect()) {
                assertEquals(b, after.header("Mercure-Last-Event-ID"));
                after.assertData("c");
            }
        }
    }

    @Test
    void builder_badArguments_sayWhatIsWrong() {
        assertEquals("uri must be an absolute http or https URI with a host, got \"/relative\"",
                assertThrows(IllegalArgumentException.class, () -> SseRecorder.to(URI.create("/relative"))).getMessage());
        SseRecorder.Builder b = SseRecorder.to(hub.uri());
        assertEquals("header Authorization: value must not contain CR, LF or NUL, got \"a\\r\\nb\"",
                assertThrows(IllegalArgumentException.class, () -> b.header("Authorization", "a\r\nb")).getMessage());
        assertEquals("header name must be an HTTP token, got \"Bad Name\"",
                assertThrows(IllegalArgumentException.class, () -> b.header("Bad Name", "x")).getMessage());
        assertEquals("header host is set by the HTTP client itself (from the URI and the request), not by a test",
                assertThrows(IllegalArgumentException.class, () -> b.header("host", "example.com")).getMessage());
        b.header("Last-Event-ID", "1");
        assertEquals("header last-event-id was already added",
                assertThrows(IllegalArgumentException.class, () -> b.header("last-event-id", "2")).getMessage());
        assertEquals("timeout must be positive, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ZERO)).getMessage());
        b.timeout(Duration.ofSeconds(5));
        assertEquals("timeout was already set to PT5S",
                assertThrows(IllegalStateException.class, () -> b.timeout(Duration.ofSeconds(6))).getMessage());
    }
}
