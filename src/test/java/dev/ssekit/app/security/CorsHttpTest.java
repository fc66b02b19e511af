package dev.ssekit.app.security;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CORS for configured origins only; preflights for Last-Event-ID and Authorization. */
class CorsHttpTest {
    private static final String APP = "https://app.example.com";

    private static HttpResponse<String> preflight(EmbeddedHub hub, String origin, String method, String headers)
            throws Exception {
        return MercureClient.send(hub.uri().resolve(MercureClient.PATH), "OPTIONS", Map.of("Origin", origin,
                "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers));
    }

    private static Optional<String> header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name);
    }

    @Test
    void preflight_listedOrigin_204WithExactOriginAndCredentials() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.cors.origins", APP + ", http://localhost:3000"))) {
            HttpResponse<String> sub = preflight(hub, APP, "GET", "last-event-id");
            assertEquals(204, sub.statusCode(), sub.body());
            assertEquals(Optional.of(APP), header(sub, "Access-Control-Allow-Origin"));
            assertEquals(Optional.of("true"), header(sub, "Access-Control-Allow-Credentials"));
            assertEquals(Optional.of("GET, QUERY, POST"), header(sub, "Access-Control-Allow-Methods"));
            assertEquals(Optional.of("Authorization, Last-Event-ID, Content-Type, Cache-Control"),
                    header(sub, "Access-Control-Allow-Headers"));
            assertEquals(Optional.of("600"), header(sub, "Access-Control-Max-Age"));
            assertEquals(Optional.of("Origin"), header(sub, "Vary"));

            HttpResponse<String> pub = preflight(hub, "http://localhost:3000", "POST", "Authorization, Content-Type");
            assertEquals(204, pub.statusCode(), pub.body());
            assertEquals(Optional.of("http://localhost:3000"), header(pub, "Access-Control-Allow-Origin"));

            HttpResponse<String> evil = preflight(hub, "https://evil.example", "GET", "last-event-id");
            assertEquals(403, evil.statusCode());
            assertEquals("CORS: origin \"https://evil.example\" is not allowed (ssekit.hub.cors.origins)\n", evil.body());
            assertEquals(Optional.empty(), header(evil, "Access-Control-Allow-Origin"));

            HttpResponse<String> odd = preflight(hub, APP, "GET", "X-Custom");
            assertEquals(403, odd.statusCode());
            assertEquals("CORS: header \"X-Custom\" is not allowed; allowed: Authorization, Last-Event-ID, "
                    + "Content-Type, Cache-Control\n", odd.body());
            assertEquals(403, preflight(hub, APP, "DELETE", "").statusCode());

            // The actual requests carry the headers too: the stream, a publish, and a refusal.
            try (SseRecorder c = MercureClient.subscribe(hub.uri(), "topic=cors", Map.of("Origin", APP))) {
                assertEquals(APP, c.header("Access-Control-Allow-Origin"));
                assertEquals("true", c.header("Access-Control-Allow-Credentials"));
                assertEquals("Mercure-Last-Event-ID, Link", c.header("Access-Control-Expose-Headers"));
                String id = MercureClient.publish(hub.uri(), Tokens.publisher("*"), "cors", "x");
                assertEquals(id, c.takeEvent().id());
            }
            HttpResponse<String> refused = MercureClient.post(hub.uri(), "topic=a&data=x", Map.of("Origin", APP));
            assertEquals(401, refused.statusCode());
            assertEquals(Optional.of(APP), header(refused, "Access-Control-Allow-Origin"));
            HttpResponse<String> other = MercureClient.post(hub.uri(), "topic=a&data=x",
                    Map.of("Origin", "https://evil.example"));
            assertEquals(Optional.empty(), header(other, "Access-Control-Allow-Origin"));
        }
    }

    @Test
    void noOriginsConfigured_noCorsAtAll() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Tokens.hubWithSecret())) {
            HttpResponse<String> r = preflight(hub, APP, "GET", "last-event-id");
            assertEquals(403, r.statusCode());
            assertEquals(Optional.empty(), header(r, "Access-Control-Allow-Origin"));
            try (SseRecorder c = MercureClient.subscribe(hub.uri(), "topic=cors", Map.of("Origin", APP))) {
                assertEquals(null, c.header("Access-Control-Allow-Origin"));
            }
        }
    }

    @Test
    void anyOrigin_readsWithoutCredentials() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.cors.origins", "*"))) {
            HttpResponse<String> r = preflight(hub, "https://anyone.example", "GET", "last-event-id");
            assertEquals(204, r.statusCode());
            assertEquals(Optional.of("*"), header(r, "Access-Control-Allow-Origin"));
            assertEquals(Optional.empty(), header(r, "Access-Control-Allow-Credentials"));
            // A cookie-borne publish token is not accepted from just any origin.
            HttpResponse<String> cookie = MercureClient.post(hub.uri(), "topic=a&data=x", Map.of("Origin",
                    "https://anyone.example", "Cookie", "mercureAuthorization=" + Tokens.publisher("*")));
            assertEquals(403, cookie.statusCode());
        }
    }

}
