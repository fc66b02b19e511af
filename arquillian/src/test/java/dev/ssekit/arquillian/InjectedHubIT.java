package dev.ssekit.arquillian;

import dev.ssekit.Event;
import dev.ssekit.arquillian.app.OrderApplication;
import dev.ssekit.arquillian.app.OrderStream;
import dev.ssekit.arquillian.app.SubscriberLog;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testkit.StreamEnd;
import dev.ssekit.testsupport.PlainHttp;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.WireCases;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's WAR: the ssekit jar in WEB-INF/lib and a resource with {@code @Inject @TopicName Topic<String>}. */
@ExtendWith(ArquillianExtension.class)
class InjectedHubIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive userWar() {
        return ordersWar("orders.war");
    }

    /**
     * A user's WAR: its resource and observer, the ssekit jar, and its settings in
     * {@code META-INF/microprofile-config.properties} (a short heartbeat finds gone clients fast).
     */
    static WebArchive ordersWar(String name) {
        return ordersWar(name, "ssekit.heartbeat=600ms\nssekit.max.subscribers.per.topic=2\n");
    }

    /** The user's WAR with the given {@code microprofile-config.properties}. */
    static WebArchive ordersWar(String name, String settings) {
        return ShrinkWrap.create(WebArchive.class, name)
                .addClasses(OrderApplication.class, OrderStream.class, SubscriberLog.class, WireCases.class)
                .addAsLibrary(new File(System.getProperty("ssekit.jar")))
                .addAsResource(new StringAsset(settings), "META-INF/microprofile-config.properties")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    private URI api() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath() + "api/orders");
    }

    private String publish(String data) throws Exception {
        return PlainHttp.postForm(api(), "data=" + data);
    }

    @Test
    void injectedHubPublishsAndReplays() throws Exception {
        String first = publish("one");
        String second = publish("two");
        try (SseRecorder c = SseRecorder.to(api()).header("Last-Event-ID", first).timeout(WAIT).open()) {
            assertEquals(200, c.status());
            assertEquals(new ReceivedEvent(second, null, "two", null), c.takeEvent());
            String third = publish("three");
            assertEquals(new ReceivedEvent(third, null, "three", null), c.takeEvent());
            assertEquals(first, c.header("Mercure-Last-Event-ID"));
            // hub.open knows the client's address too, from the servlet request.
            assertTrue(get(URI.create(api() + "/subscribers")).contains("connected [orders] from 127.0.0.1"));
            assertEquals("tea", post(URI.create(api() + "/created"), "note=tea"), "@Publish leaves the response unchanged");
            ReceivedEvent event = c.takeEvent();
            assertEquals("created", event.type());
            assertEquals("tea", event.data());
        }
    }

    @Test
    void awkwardDataAndComments_arriveExactlyAsSentThroughTheInjectedHubAndConn() throws Exception {
        URI events = URI.create(api() + "/9/events");
        try (RawSseClient c = RawSseClient.open(events, events.getPath(), Map.of())) {
            assertEquals(200, c.awaitStatus(WAIT));
            await().atMost(WAIT).until(() -> c.rawText().contains(": connected"));
            for (String data : WireCases.DATA) {
                // With the charset named: RESTEasy decodes a form's %-escapes as ISO-8859-1 otherwise.
                HttpResponse<String> r = PlainHttp.send(HttpRequest.newBuilder(URI.create(api() + "/9/status"))
                        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofString("status="
                                + URLEncoder.encode(data, StandardCharsets.UTF_8))).build());
                assertEquals(200, r.statusCode(), r.body());
            }
            List<RawSseClient.Received> got = c.next(WireCases.DATA.size(), WAIT);
            for (int i = 0; i < got.size(); i++) {
                String data = WireCases.DATA.get(i);
                assertEquals(WireCases.parsed(data), got.get(i).data(), "@Publish of " + WireCases.show(data));
                assertEquals("status", got.get(i).type());
            }
        }
        URI awkward = URI.create(api() + "/awkward");
        try (RawSseClient c = RawSseClient.open(awkward, awkward.getPath(), Map.of())) {
            assertEquals(200, c.awaitStatus(WAIT));
            List<RawSseClient.Received> got = c.next(WireCases.DATA.size(), WAIT);
            for (int i = 0; i < got.size(); i++) {
                String data = WireCases.DATA.get(i);
                assertEquals(new RawSseClient.Received(null, "awkward", WireCases.parsed(data), null), got.get(i),
                        "Conn.send of " + WireCases.show(data));
            }
            assertTrue(c.awaitEnd(WAIT), "the stream ends after conn.close()");
            String raw = c.rawText();
            if (HubWarIT.onWildFly()) {
                // RESTEasy's own writer: the plain fields where it keeps every line, else one comment
                // holding the frame's lines with CR as the line break; several frames queued at once
                // go as one such comment. Either way the stream holds the same lines as the frames.
                StringBuilder frames = new StringBuilder(": connected\n\n");
                WireCases.COMMENTS.forEach(t -> frames.append(dev.ssekit.Event.comment(t).toWireFormat()));
                WireCases.DATA.forEach(d -> frames.append(dev.ssekit.Event.of(d).withType("awkward").toWireFormat()));
                assertEquals(lines(frames.toString()), lines(raw.replace(": heartbeat\n\n", "")), raw);
            } else {
                // The resource sends while Jersey still serves the request: those frames go through
                // Jersey's sink (ssekit's FrameWriter, then Jersey's chunk delimiter, one LF, after
                // each write, which may hold a batch of frames) behind the head; every frame after
                // Jersey is done goes straight to the servlet output. Where the switch falls, and how
                // the sink's frames were batched, depends on timing. A frame's lines are never empty
                // and it ends with one blank line, so three LFs in a row are a frame's end and Jersey's
                // delimiter: without those, the stream is exactly ssekit's frames, in order.
                StringBuilder frames = new StringBuilder(": connected\n\n");
                WireCases.COMMENTS.forEach(t -> frames.append(dev.ssekit.Event.comment(t).toWireFormat()));
                WireCases.DATA.forEach(d -> frames.append(dev.ssekit.Event.of(d).withType("awkward").toWireFormat()));
                String body = raw.replace(": heartbeat\n\n\n", "").replace(": heartbeat\n\n", "");
                assertTrue(body.startsWith(": connected\n\n\n"), raw);
                assertEquals(frames.toString(), body.replace("\n\n\n", "\n\n"),
                        "the head, the sink's writes, then the exact frames");
            }
        }
    }

    /**
     * @return the stream's lines as an event-stream parser sees them: CR, LF and CRLF each end a
     *         line, empty comment lines and repeated blank lines dropped (they change no event)
     */
    private static List<String> lines(String stream) {
        List<String> out = new ArrayList<>();
        for (String line : stream.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            if (line.equals(":") || line.equals(": ")) {
                continue;
            }
            if (line.isEmpty() && (out.isEmpty() || out.get(out.size() - 1).isEmpty())) {
                continue;
            }
            out.add(line);
        }
        return out;
    }

    private static String post(URI uri, String form) throws Exception {
        return PlainHttp.postForm(uri, form);
    }

    @Test
    void clientsThatLeaveAnSubscribe_idleOrMidFrame_endTheirConnectionsWithNothingLogged() throws Exception {
        // The user's @Subscribe resource, as StalledClientsIT does for the hub WAR: a raw client that
        // leaves while idle, and one that leaves with a reset in the middle of a 64 KB event.
        URI events = URI.create(api() + "/leaving/events");
        URI status = URI.create(api() + "/leaving/status");
        PlainHttp.postForm(status, "status=before"); // the hubs start (and say so) before the mark
        ServerLog log = ServerLog.current();
        long mark = log.mark();
        StalledClient idle = StalledClient.openStream(events, WAIT);
        StalledClient midFrame = StalledClient.openStream(events, WAIT);
        PlainHttp.postForm(status, "status=" + "y".repeat(64 * 1024));
        midFrame.readSome(100); // within the event, never its end
        idle.close();
        midFrame.abort();
        await().atMost(WAIT).until(() -> !StalledClient.serverSideOpen(events.getPort(), idle.localPort())
                && !StalledClient.serverSideOpen(events.getPort(), midFrame.localPort()));
        // One more broadcast, so that whatever noticing a gone client writes to the log has happened.
        PlainHttp.postForm(status, "status=after");
        assertEquals(List.of(), log.recordsSince(mark), "logged while two clients left");
    }

    @Test
    void annotatedStreamGetsItsOrdersEventsAndReplays() throws Exception {
        URI events = URI.create(api() + "/7/events");
        String lastSeen;
        try (SseRecorder c = SseRecorder.to(events).timeout(WAIT).open()) {
            assertEquals(200, c.status());
            post(URI.create(api() + "/8/status"), "status=other-order");
            post(URI.create(api() + "/7/status"), "status=packed");
            ReceivedEvent packed = c.takeEvent();
            assertEquals(new ReceivedEvent(packed.id(), "status", "packed", null), packed);
            lastSeen = packed.id();
        }
        post(URI.create(api() + "/7/status"), "status=shipped");
        try (SseRecorder back = SseRecorder.to(events).header("Last-Event-ID", lastSeen).timeout(WAIT).open()) {
            assertEquals(200, back.status());
            assertEquals("shipped", back.takeEvent().data(), "missed while away: replayed");
            assertEquals(lastSeen, back.header("Mercure-Last-Event-ID"));
        }
    }

    @Test
    void publish_deliversSuccessfulResponsesOnly() throws Exception {
        URI events = URI.create(api() + "/31/events");
        try (SseRecorder c = SseRecorder.to(events).timeout(WAIT).open()) {
            assertEquals(200, c.status());
            for (int status : new int[] {404, 500}) {
                HttpResponse<String> r = postForm(URI.create(api() + "/31/review"), "status=" + status + "&note=error-" + status);
                assertEquals(status, r.statusCode(), r.body());
                assertEquals("error-" + status, r.body(), "the response is unchanged");
            }
            HttpResponse<String> refused = postForm(URI.create(api() + "/31/review/refused"), "note=refused");
            assertEquals(409, refused.statusCode(), refused.body());
            HttpResponse<String> ok = postForm(URI.create(api() + "/31/review"), "status=201&note=approved");
            assertEquals(201, ok.statusCode(), ok.body());
            // Events arrive in publication order: had an error's entity been broadcast, it would come first.
            assertEquals(new ReceivedEvent(null, "review", "approved", null),
                    withoutId(c.takeEvent()), "only the 2xx answer is broadcast");
            c.assertExhausted();
        }
        try (SseRecorder replay = SseRecorder.to(events).header("Last-Event-ID", "earliest").timeout(WAIT).open()) {
            assertEquals("approved", replay.takeEvent().data(), "history holds the 2xx answer alone");
            replay.assertExhausted();
        }
    }

    private static ReceivedEvent withoutId(ReceivedEvent e) {
        return new ReceivedEvent(null, e.type(), e.data(), e.retry());
    }

    private static HttpResponse<String> postForm(URI uri, String form) throws Exception {
        return PlainHttp.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    private static String get(URI uri) throws Exception {
        return PlainHttp.get(uri);
    }

    @Test
    void subscriberConnectAndDisconnectAreCdiEvents() throws Exception {
        URI events = URI.create(api() + "/42/events");
        URI log = URI.create(api() + "/subscribers");
        try (SseRecorder c = SseRecorder.to(events).timeout(WAIT).open()) {
            assertEquals(200, c.status());
            await().atMost(WAIT).until(() -> get(log).contains("connected [orders/42] from 127.0.0.1"));
        }
        // Nothing is published: the heartbeat (600 ms, from the WAR's microprofile-config.properties)
        // finds the client gone, and the application observes why.
        await().atMost(WAIT).until(() -> get(log).contains("disconnected [orders/42] from 127.0.0.1 CLIENT_GONE"));
    }

    @Test
    void countsAreReportedAndOnPayaraAsMicroProfileMetrics() throws Exception {
        URI stream = URI.create(api() + "/metered");
        try (SseRecorder c = SseRecorder.to(stream).timeout(WAIT).open()) {
            assertEquals(200, c.status());
            await().atMost(WAIT).until(() -> get(URI.create(api() + "/metered/stats")).startsWith("1 "));
            for (int i = 0; i < 3; i++) {
                post(stream, "data=m" + i);
                assertEquals("m" + i, c.takeEvent().data());
            }
            // subscribers published delivered dropped cut replayed
            await().atMost(WAIT).until(() -> get(URI.create(api() + "/metered/stats")).equals("1 3 3 0 0 0"));
            if ("payara".equals(System.getProperty("arquillian.launch"))) {
                URI metrics = URI.create("http://127.0.0.1:" + deployed.getPort() + "/metrics?scope=application");
                String text = get(metrics);
                assertTrue(text.matches("(?s).*ssekit_events_published_total\\{[^}]*topic=\"metered\"[^}]*} 3(\\.0)?\n.*"),
                        text);
                assertTrue(text.matches("(?s).*ssekit_events_delivered_total\\{[^}]*topic=\"metered\"[^}]*} 3(\\.0)?\n.*"),
                        text);
                assertTrue(text.matches("(?s).*ssekit_subscribers\\{[^}]*topic=\"metered\"[^}]*} 1(\\.0)?\n.*"), text);
                assertTrue(text.contains("ssekit_publish_duration_seconds_count{"), text);
                // One lag sample per event written, once the write returned (just after the client read it).
                await().atMost(WAIT).until(() -> get(metrics).matches(
                        "(?s).*ssekit_delivery_lag_seconds_count\\{[^}]*topic=\"metered\"[^}]*} 3(\\.0)?\n.*"));
            }
        }
        if ("payara".equals(System.getProperty("arquillian.launch"))) {
            // The client left: found at the next heartbeat (600 ms), and the gauge follows.
            URI metrics = URI.create("http://127.0.0.1:" + deployed.getPort() + "/metrics?scope=application");
            await().atMost(WAIT).until(() -> get(metrics).matches(
                    "(?s).*ssekit_subscribers\\{[^}]*topic=\"metered\"[^}]*} 0(\\.0)?\n.*"));
        }
    }

    @Test
    void sseStreamPastTheSubscriberLimit_gets503WithRetryAfter() throws Exception {
        URI events = URI.create(api() + "/77/events");
        try (SseRecorder a = SseRecorder.to(events).timeout(WAIT).open();
             SseRecorder b = SseRecorder.to(events).timeout(WAIT).open();
             SseRecorder third = SseRecorder.to(events).timeout(WAIT).open()) {
            assertEquals(200, a.status());
            assertEquals(200, b.status());
            assertEquals(503, third.status());
            assertEquals("10", third.header("Retry-After"));
            assertEquals("topic \"orders/77\" already has its limit of 2 subscribers (maxSubscribersPerTopic); "
                    + "retry later\n", third.assertEnded(StreamEnd.Reason.HTTP_STATUS).body());
        }
    }
}
