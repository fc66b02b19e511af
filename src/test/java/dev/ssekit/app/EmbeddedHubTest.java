package dev.ssekit.app;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job: the hub app on embedded Jersey + Grizzly + Weld SE, over real HTTP, with an HS256
 * key configured, so that every publish carries a token, as on a deployed hub.
 */
class EmbeddedHubTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PATH = MercureClient.PATH;
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = Hubs.start(Tokens.hubWithSecret());
    }

    private static final String PUBLISHER = Tokens.publisher("*");

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static HttpResponse<String> post(String form) throws Exception {
        return MercureClient.post(hub.uri(), form, Tokens.bearer(PUBLISHER));
    }

    private static String publish(String topic, String data) throws Exception {
        return MercureClient.publish(hub.uri(), PUBLISHER, topic, data);
    }

    private static String enc(String s) {
        return MercureClient.encode(s);
    }

    private static SseRecorder subscribe(String query, Map<String, String> headers) throws Exception {
        return MercureClient.subscribe(hub.uri(), query, headers);
    }

    @Test
    void publish_thenSubscribeLive() throws Exception {
        try (SseRecorder c = subscribe("topic=live", Map.of())) {
            c.status();
            // The subscription is made before the response starts: a publish now reaches it.
            String id = publish("live", "hello");
            c.assertEvent(id, null, "hello");
            c.assertExhausted();
        }
    }

    @Test
    void publish_keepsGivenIdTypeAndRetry() throws Exception {
        HttpResponse<String> r = post("topic=typed&data=x&id=my-1&type=created&retry=1500");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("my-1", r.body());
        try (SseRecorder c = subscribe("topic=typed", Map.of("Last-Event-ID", "earliest"))) {
            assertEquals(new ReceivedEvent("my-1", "created", "x", 1500L), c.takeEvent());
        }
    }

    @Test
    void replay_fromHeaderQueryAndEarliest() throws Exception {
        String a = publish("r", "a");
        publish("r", "b");
        publish("r", "c");
        try (SseRecorder c = subscribe("topic=r", Map.of("Last-Event-ID", a))) {
            c.assertData("b", "c");
            assertEquals(a, c.header("Mercure-Last-Event-ID"));
        }
        try (SseRecorder c = subscribe("topic=r&lastEventID=" + enc(a), Map.of())) {
            c.assertData("b", "c");
        }
        try (SseRecorder c = subscribe("topic=r&lastEventID=earliest", Map.of())) {
            c.assertData("a", "b", "c");
            assertEquals("earliest", c.header("Mercure-Last-Event-ID"));
        }
    }

    @Test
    void replay_unknownIdReplaysAllRetainedAndSaysEarliest() throws Exception {
        publish("u", "1");
        publish("u", "2");
        try (SseRecorder c = subscribe("topic=u", Map.of("Last-Event-ID", "no-such-id"))) {
            c.assertData("1", "2");
            assertEquals("earliest", c.header("Mercure-Last-Event-ID"));
        }
    }

    @Test
    void replay_concurrentPublishersAndReconnectsNoGapNoDuplicate() throws Exception {
        String topic = "race";
        int publishers = 2;
        int perPublisher = 1500;
        int subscribers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(publishers + subscribers);
        try {
            CountDownLatch subscribed = new CountDownLatch(subscribers);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int s = 0; s < subscribers; s++) {
                results.add(pool.submit(() -> MercureClient.readAcrossReconnects(hub::uri, "topic=" + topic, null,
                        subscribed::countDown)));
            }
            assertTrue(subscribed.await(30, TimeUnit.SECONDS));
            List<Future<?>> pubs = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int n = p;
                pubs.add(pool.submit(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        publish(topic, n + "-" + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : pubs) {
                f.get(120, TimeUnit.SECONDS);
            }
            publish(topic, "END");
            // The truth: every event of the topic in history order.
            List<String> history = MercureClient.readToEnd(hub.uri(), "topic=" + topic, "earliest");
            assertEquals(publishers * perPublisher + 1, history.size());
            for (Future<List<String>> f : results) {
                List<String> seen = f.get(120, TimeUnit.SECONDS);
                assertEquals(seen.size(), Set.copyOf(seen).size(), "a subscriber got a duplicate");
                int start = history.indexOf(seen.get(0));
                assertEquals(history.subList(start, history.size()), seen,
                        "a subscriber's events across reconnects must be history from its first event on");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void publish_badInputGets400Or413_aReusedId409_namingTheField() throws Exception {
        assertBad(post("data=x"), 400, "topic: at least one topic parameter is required");
        assertBad(post("topic=t&data=x&id=" + enc("a\nb")), 400, "id: must not contain control characters");
        assertBad(post("topic=t&data=x&type=" + enc("a\r\nid: 9")), 400, "type: must not contain control characters");
        assertBad(post("topic=t&data=x&retry=soon"), 400, "retry must be a whole number of milliseconds");
        HttpResponse<String> badType = dev.ssekit.testsupport.PlainHttp.send(java.net.http.HttpRequest.newBuilder(
                hub.uri().resolve(PATH)).header("Content-Type", ";;;").header("Authorization", "Bearer " + PUBLISHER)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("topic=t&data=x")).build());
        assertBad(badType, 400, "Content-Type: not a media type: \";;;\"");
        assertBad(post("topic=t&data=x&retry=99999999999999999999999"), 400,
                "retry must be at most 2147483647 milliseconds, got \"99999999999999999999999\"");
        assertEquals(200, post("topic=t&data=x&retry=0002147483647").statusCode());
        // A field over its length limit, or too many topics, is "content too large" (413).
        assertBad(post("topic=t&data=" + "x".repeat(1024 * 1024 + 1)), 413,
                "data: the event is 1048577 bytes, over the limit of 1048576 (maxEventSize)");
        assertBad(post("topic=" + "t".repeat(2049) + "&data=x"), 413, "topic: longer than 2048 characters");
        assertBad(post("topic=t&data=x&id=" + "i".repeat(1025)), 413, "id: longer than 1024 characters");
        assertBad(post("topic=t&data=x" + "&topic=t".repeat(1000)), 413,
                "topic: an update may carry at most 1000 topics, got 1001");
        assertEquals(200, post("topic=t&data=x" + "&topic=t".repeat(999)).statusCode());
        assertBad(post("topic=" + enc("ssekit:private:t") + "&data=x"), 400,
                "topic: names starting with ssekit:private: are reserved for private updates");
        publish("dup", "one");
        HttpResponse<String> first = post("topic=dup&data=x&id=taken");
        assertEquals(200, first.statusCode());
        // A reused id is refused (409): stored again under another id, a retried update would arrive twice.
        assertBad(post("topic=dup&data=x&id=taken"), 409, "id: \"taken\" is already in history");
        // The server stays up and keeps serving.
        assertEquals(200, post("topic=t&data=ok").statusCode());
    }

    @Test
    void subscribe_withoutTopicGets400() throws Exception {
        assertBad(MercureClient.get(hub.uri().resolve(PATH), "text/event-stream"), 400,
                "topic: at least one topic matcher is required");
    }

    @Test
    void demoPage_isServedAtRoot() throws Exception {
        HttpResponse<String> r = MercureClient.get(hub.uri(), "text/html");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(r.body().contains("new EventSource(url)"));
    }

    private static void assertBad(HttpResponse<String> r, int status, String messageStart) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().startsWith(messageStart), "body was: " + r.body());
    }

    @Test
    void secondHubInTheSameJvm_isRefused_namingTheRunningOne() {
        // It would be served this hub's CDI beans (see EmbeddedHub); a stopping hub's streams were
        // seen to end without their closing hint that way.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedHub.start("127.0.0.1", 0));
        assertEquals("an embedded hub already runs in this JVM (" + hub.uri() + "): a second one would be served "
                + "the first one's CDI beans; close it first or start another process", e.getMessage());
    }

}
