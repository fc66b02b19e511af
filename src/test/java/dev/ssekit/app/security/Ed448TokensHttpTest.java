package dev.ssekit.app.security;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.ssekit.testsupport.Tokens.accessClaims;
import static dev.ssekit.testsupport.Tokens.detail;
import static dev.ssekit.testsupport.Tokens.matcher;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * EdDSA tokens on Ed448 (the other curve of RFC 8037) over HTTP on the embedded hub configured with
 * an Ed448 public key: they verify, and a token signed with an Ed25519 key does not.
 */
class Ed448TokensHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ISSUER = "https://ed448-issuer.test";
    private static final KeyPair KEY = Tokens.ed448();
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = Hubs.start(Map.of("ssekit.hub.jwt.publicKey", Tokens.pem(KEY.getPublic()),
                "ssekit.hub.jwt.publicKey.issuer", ISSUER, "ssekit.hub.resource", Tokens.RESOURCE));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String token(KeyPair pair, String action, String topic) {
        return Tokens.edDsa(pair, accessClaims(List.of(detail(action, List.of(matcher(topic, null)))))
                .issuer(ISSUER).build(), "at+jwt");
    }

    @Test
    void ed448Tokens_publishAndSubscribe() throws Exception {
        try (RawSseClient c = MercureClient.subscribeRaw(hub.uri(), "match=ed448",
                Tokens.bearer(token(KEY, "subscribe", "ed448")))) {
            HttpResponse<String> r = MercureClient.post(hub.uri(), "topic=ed448&data=curve448&private=on",
                    Tokens.bearer(token(KEY, "publish", "ed448")));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("curve448", c.next(WAIT).data());
        }
    }

    @Test
    void ed25519Token_onAnEd448Hub_gets401() throws Exception {
        HttpResponse<String> r = MercureClient.post(hub.uri(), "topic=ed448&data=x",
                Tokens.bearer(token(Tokens.ed25519(), "publish", "ed448")));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("the token's signature does not verify", r.body().strip());
    }
}
