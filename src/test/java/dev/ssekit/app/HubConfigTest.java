package dev.ssekit.app;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded hub reads the library's settings from system properties; limits answer over HTTP. */
class HubConfigTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static EmbeddedHub startWith(Map<String, String> settings) throws Exception {
        settings.forEach(System::setProperty);
        try {
            return EmbeddedHub.start("127.0.0.1", 0);
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void limits_answer503WithRetryAfterOr400NamingTheLimit() throws Exception {
        try (EmbeddedHub hub = startWith(Map.of("ssekit.max.subscribers.per.topic", "2", "ssekit.max.subscribers", "3",
                "ssekit.max.topics.per.subscription", "2", "ssekit.max.event.size", "1KiB"))) {
            try (RawSseClient a = subscribe(hub, "topic=full"); RawSseClient b = subscribe(hub, "topic=full")) {
                HttpResponse<String> third = MercureClient.get(hub.uri().resolve(MercureClient.PATH + "?topic=full"),
                        "text/event-stream");
                assertEquals(503, third.statusCode());
                assertEquals("10", third.headers().firstValue("Retry-After").orElse(null));
                assertEquals("topic \"full\" already has its limit of 2 subscribers (maxSubscribersPerTopic); "
                        + "retry later\n", third.body());
                try (RawSseClient c = subscribe(hub, "topic=other")) {
                    HttpResponse<String> fourth = MercureClient.get(
                            hub.uri().resolve(MercureClient.PATH + "?topic=more"), "text/event-stream");
                    assertEquals(503, fourth.statusCode());
                    assertEquals("the hub already has its limit of 3 subscribers (maxSubscribers); retry later\n",
                            fourth.body());
                }
                // Those still subscribed keep receiving.
                String id = MercureClient.publish(hub.uri(), "full", "still here");
                assertEquals(id, a.next(WAIT).id());
                assertEquals(id, b.next(WAIT).id());
            }
            HttpResponse<String> many = MercureClient.get(
                    hub.uri().resolve(MercureClient.PATH + "?topic=x&topic=y&topic=z"), "text/event-stream");
            assertEquals(400, many.statusCode());
            assertEquals("topics: a subscription may name at most 2 topics (maxTopicsPerSubscription), got 3\n",
                    many.body());
            HttpResponse<String> big = MercureClient.post(hub.uri(), "topic=t&data=" + "x".repeat(1025));
            assertEquals(413, big.statusCode());
            assertEquals("data: the event is 1025 bytes, over the limit of 1024 (maxEventSize)\n", big.body());
            assertEquals(200, MercureClient.post(hub.uri(), "topic=t&data=" + "x".repeat(1024)).statusCode());
        }
    }

    @Test
    void topicLimit_countsTheTopicsAClientNames_notThePrivateCounterpartsOfAnAuthorizedOne() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Tokens.hubWithSecret());
        settings.put("ssekit.max.topics.per.subscription", "2");
        try (EmbeddedHub hub = startWith(settings)) {
            Map<String, String> authorized = Tokens.bearer(Tokens.subscriber("*"));
            // Two topics and, as the token grants them, their two private counterparts: accepted.
            try (SseRecorder c = MercureClient.subscribe(hub.uri(), "topic=x&topic=y", authorized)) {
                HttpResponse<String> published = MercureClient.post(hub.uri(), "topic=y&data=private+to+y&private=on",
                        Tokens.bearer(Tokens.publisher("*")));
                assertEquals(200, published.statusCode(), published.body());
                assertEquals("private to y", c.takeEvent().data());
            }
            Map<String, String> headers = new java.util.HashMap<>(authorized);
            headers.put("Accept", "text/event-stream");
            HttpResponse<String> many = MercureClient.send(hub.uri().resolve(MercureClient.PATH
                    + "?topic=x&topic=y&topic=z"), "GET", headers);
            assertEquals(400, many.statusCode());
            assertEquals("topics: a subscription may name at most 2 topics (maxTopicsPerSubscription), got 3\n",
                    many.body());
        }
    }

    @Test
    void connectionsPerSubject_overTheLimitAnswer429WithRetryAfter_andAClosedOneGivesItsPlaceBack() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Tokens.hubWithSecret());
        settings.put("ssekit.hub.max.connections.per.subject", "2");
        try (EmbeddedHub hub = startWith(settings)) {
            java.util.function.Function<String, SseRecorder> open = subject -> {
                SseRecorder.Builder b = SseRecorder.to(hub.uri().resolve(MercureClient.PATH + "?topic=q"))
                        .timeout(WAIT);
                if (subject != null) {
                    String token = Tokens.hs256(Tokens.SECRET, Tokens.claims(null, java.util.List.of("q"))
                            .subject(subject).build());
                    b.header("Authorization", "Bearer " + token);
                }
                return b.open();
            };
            SseRecorder first = open.apply("alice");
            SseRecorder second = open.apply("alice");
            assertEquals(200, first.status());
            assertEquals(200, second.status());
            try (SseRecorder third = open.apply("alice")) {
                assertEquals(429, third.status());
                assertEquals("10", third.header("Retry-After"));
            }
            // Another subject, and anonymous subscribers, are not counted against alice.
            try (SseRecorder bob = open.apply("bob"); SseRecorder anonymous = open.apply(null)) {
                assertEquals(200, bob.status());
                assertEquals(200, anonymous.status());
            }
            second.close();
            // Once the hub has seen that connection end, alice may open another.
            await().atMost(WAIT).until(() -> {
                SseRecorder again = open.apply("alice");
                if (again.status() == 200) {
                    return true;
                }
                again.close();
                return false;
            });
            first.close();
        }
        Exception e = assertThrows(Exception.class, () -> startWith(Map.of("ssekit.hub.max.connections.per.subject",
                "-1")));
        assertTrue(messages(e).contains("ssekit.hub.max.connections.per.subject=\"-1\""), messages(e));
    }

    @Test
    void heartbeat_comesFromTheSettings() throws Exception {
        try (EmbeddedHub hub = startWith(Map.of("ssekit.heartbeat", "300ms"));
             RawSseClient c = subscribe(hub, "topic=quiet")) {
            // Nothing is published: only heartbeats write. Eight of them come within a few seconds at
            // 300 ms; the default 20 s interval would need over 50 s, far past the wait.
            await().atMost(WAIT).until(() -> c.comments() >= 9);
            assertTrue(c.rawText().contains(": heartbeat\n"), c.rawText());
        }
    }

    @Test
    void invalidSetting_stopsTheStartNamingKeyAndValue() {
        Exception e = assertThrows(Exception.class, () -> startWith(Map.of("ssekit.queue.capacity", "lots")));
        String all = messages(e);
        assertTrue(all.contains("invalid setting ssekit.queue.capacity=\"lots\": expected a whole number of at least 1"),
                all);
    }

    private static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append(" | ");
        }
        return out.toString();
    }

    private static RawSseClient subscribe(EmbeddedHub hub, String query) throws Exception {
        RawSseClient c = MercureClient.subscribeRaw(hub.uri(), query, Map.of());
        assertEquals(200, c.awaitStatus(WAIT));
        return c;
    }
}
