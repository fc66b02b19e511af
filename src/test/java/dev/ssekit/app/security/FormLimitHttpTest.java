package dev.ssekit.app.security;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawHttp;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The publish form is bounded and checked before the container decodes it. */
class FormLimitHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void formOverTheLimit_413_declaredOrStreamed_andBadEncoding_400() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.max.form.size", "2KiB"))) {
            Map<String, String> auth = Tokens.bearer(Tokens.publisher("*"));
            String big = "topic=t&data=" + "x".repeat(3000);
            HttpResponse<String> declared = MercureClient.post(hub.uri(), big, auth);
            assertEquals(413, declared.statusCode());
            assertEquals("form: the body is 3013 bytes, over the limit of 2048 (ssekit.hub.max.form.size)\n",
                    declared.body());

            // No Content-Length (chunked): refused once 2048 bytes have been read, not buffered whole.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest.Builder chunked = HttpRequest.newBuilder(hub.uri().resolve(MercureClient.PATH))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))));
            auth.forEach(chunked::header);
            HttpResponse<String> streamed = http.send(chunked.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, streamed.statusCode());
            assertEquals("form: the body is over the limit of 2048 bytes (ssekit.hub.max.form.size)\n", streamed.body());

            assertEquals(200, MercureClient.post(hub.uri(), "topic=t&data=" + "x".repeat(2000), auth).statusCode());

            HttpResponse<String> percent = MercureClient.post(hub.uri(), "topic=t&data=%ZZ", auth);
            assertEquals(400, percent.statusCode());
            assertEquals("form: field \"data\" has a % not followed by two hex digits\n", percent.body());
            HttpResponse<String> utf8 = MercureClient.post(hub.uri(), "topic=t&data=%C3%28", auth);
            assertEquals(400, utf8.statusCode());
            assertEquals("form: field \"data\" is not valid UTF-8\n", utf8.body());
            HttpResponse<String> query = MercureClient.send(hub.uri().resolve(MercureClient.PATH + "?topic=%E0%80"),
                    "GET", Map.of("Accept", "text/event-stream"));
            assertEquals(400, query.statusCode());
            assertEquals("query: field \"topic\" is not valid UTF-8\n", query.body());
        }
    }

    @Test
    void publisherWithoutToken_gets401BeforeTheBodyIsRead() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Tokens.hubWithSecret())) {
            // Announces 100 MB and sends none of it: a hub that read the body first would wait.
            byte[] head = ("POST /.well-known/mercure HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            RawHttp.Answer a = RawHttp.exchange(hub.uri().getPort(), head, WAIT);
            assertEquals(401, a.status());
            assertEquals("publish: an access token is required, in Authorization: Bearer or the __Secure-mercure_access_token cookie\n",
                    a.body());
            // And with a token, the declared size alone is refused, again without waiting for the body.
            byte[] withToken = ("POST /.well-known/mercure HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + Tokens.publisher("*") + "\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            RawHttp.Answer b = RawHttp.exchange(hub.uri().getPort(), withToken, WAIT);
            assertEquals(413, b.status());
            assertFalse(b.body().isEmpty());
        }
    }
}
