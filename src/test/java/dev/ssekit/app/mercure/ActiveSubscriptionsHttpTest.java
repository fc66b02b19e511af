package dev.ssekit.app.mercure;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.PlainHttp;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ssekit.testsupport.MercureClient.encode;
import static dev.ssekit.testsupport.Tokens.accessClaims;
import static dev.ssekit.testsupport.Tokens.detail;
import static dev.ssekit.testsupport.Tokens.matcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Active subscriptions ({@code ssekit.hub.subscriptions=true}): subscription events and the JSON API. */
class ActiveSubscriptionsHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String EVENTS = "/.well-known/mercure/subscriptions/:type/:match/:subscriber";
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = new HashMap<>(Tokens.hubWithIssuer());
        settings.put("ssekit.hub.subscriptions", "true");
        hub = Hubs.start(settings);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String token(String match, String type) {
        return Tokens.accessToken(accessClaims(List.of(detail("subscribe", List.of(matcher(match, type))))).build(),
                "at+jwt");
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(hub.uri().resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return PlainHttp.send(b.GET().build());
    }

    @Test
    void subscriptionEvents_andApi_describeActiveSubscriptions() throws Exception {
        String watcherToken = token(EVENTS, "urlpattern");
        String api = token("/.well-known/mercure/subscriptions{/*}?", "urlpattern");
        String topic = "urn:test:" + UUID.randomUUID();
        String expectedTopic = "/.well-known/mercure/subscriptions/exact/" + ActiveSubscriptions.encode(topic) + "/";
        try (RawSseClient watcher = MercureClient.subscribeRaw(hub.uri(), "match_urlpattern=" + encode(EVENTS),
                Tokens.bearer(watcherToken));
             RawSseClient anonymous = MercureClient.subscribeRaw(hub.uri(), "match_urlpattern=" + encode(EVENTS)
                     + "&match=" + encode("/end"), Map.of())) {
            RawSseClient subscriber = MercureClient.subscribeRaw(hub.uri(), "match=" + encode(topic), Map.of());
            RawSseClient.Received started;
            do { // the watcher also sees the anonymous client's subscription, and its own
                started = watcher.next(WAIT);
            } while (!started.data().contains(topic));
            assertEquals("mercure", started.type());
            assertTrue(started.data().startsWith("{\"id\":\"" + expectedTopic + "urn%3Auuid%3A"), started.data());
            assertTrue(started.data().contains("\"type\":\"subscription\",\"match_type\":\"exact\",\"match\":\""
                    + topic + "\""), started.data());
            assertTrue(started.data().contains("\"active\":true"), started.data());
            String id = started.data().substring(7, started.data().indexOf('"', 7));

            HttpResponse<String> one = get(id, api);
            assertEquals(200, one.statusCode(), one.body());
            assertEquals(started.data(), one.body());
            assertTrue(one.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(one.headers().firstValue("Link").orElse("").contains("rel=\"mercure\"; last-event-id="),
                    one.headers().firstValue("Link").orElse(""));
            HttpResponse<String> all = get("/.well-known/mercure/subscriptions", api);
            assertEquals(200, all.statusCode(), all.body());
            assertTrue(all.body().startsWith("{\"id\":\"/.well-known/mercure/subscriptions\",\"type\":\"subscriptions\""));
            assertTrue(all.body().contains(started.data()), all.body());
            HttpResponse<String> perMatcher = get(expectedTopic.substring(0, expectedTopic.length() - 1), api);
            assertTrue(perMatcher.body().contains(started.data()), perMatcher.body());
            assertEquals(401, get("/.well-known/mercure/subscriptions", null).statusCode());
            assertEquals(403, get("/.well-known/mercure/subscriptions", token("/elsewhere", null)).statusCode());

            subscriber.close();
            RawSseClient.Received ended;
            do {
                ended = watcher.next(WAIT);
            } while (!ended.data().contains(topic));
            assertTrue(ended.data().startsWith("{\"id\":\"" + id + "\""), ended.data());
            assertTrue(ended.data().contains("\"active\":false"), ended.data());
            HttpResponse<String> gone = get(id, api);
            assertEquals(404, gone.statusCode());
            assertEquals("subscriptions: no active subscription at " + id + "\n", gone.body());
            // Subscription events are private: a subscriber without a grant never gets one. An END
            // update shows the order.
            MercureClient.post(hub.uri(), "topic=" + encode("/end") + "&data=END", Tokens.bearer(Tokens.accessToken(
                    accessClaims(List.of(detail("publish", List.of(matcher("*", null))))).build(), "at+jwt")));
            assertEquals("END", anonymous.next(WAIT).data());
        }
    }

    @Test
    void subscriptionDescriptions_carryThePayloadOfTheFirstSubscribeGrantThatMatchesTheirMatcher() throws Exception {
        String watcherToken = token(EVENTS, "urlpattern");
        String specific = "urn:test:" + UUID.randomUUID();
        String other = "urn:test:" + UUID.randomUUID();
        Map<String, Object> first = new HashMap<>(detail("subscribe", List.of(matcher(specific, null))));
        first.put("payload", Map.of("custom1", "only for this topic"));
        Map<String, Object> fallback = new HashMap<>(detail("subscribe", List.of(matcher("*", null))));
        fallback.put("payload", Map.of("custom1", "default"));
        String subscriberToken = Tokens.accessToken(accessClaims(List.of(first, fallback)).build(), "at+jwt");
        try (RawSseClient watcher = MercureClient.subscribeRaw(hub.uri(), "match_urlpattern=" + encode(EVENTS),
                Tokens.bearer(watcherToken));
             RawSseClient subscriber = MercureClient.subscribeRaw(hub.uri(), "match=" + encode(specific)
                     + "&match=" + encode(other), Tokens.bearer(subscriberToken))) {
            Map<String, String> described = new HashMap<>();
            while (described.size() < 2) {
                RawSseClient.Received e = watcher.next(WAIT);
                for (String t : List.of(specific, other)) {
                    if (e.data().contains("\"match\":\"" + t + "\"")) {
                        described.put(t, e.data());
                    }
                }
            }
            assertTrue(described.get(specific).endsWith(",\"payload\":{\"custom1\":\"only for this topic\"}}"),
                    described.get(specific));
            assertTrue(described.get(other).endsWith(",\"payload\":{\"custom1\":\"default\"}}"),
                    described.get(other));
            String id = described.get(specific).substring(7, described.get(specific).indexOf('"', 7));
            HttpResponse<String> one = get(id, token("/.well-known/mercure/subscriptions{/*}?", "urlpattern"));
            assertEquals(described.get(specific), one.body());
        }
    }
}
