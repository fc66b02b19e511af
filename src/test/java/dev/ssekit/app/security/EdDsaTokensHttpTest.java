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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EdDSA (Ed25519) tokens, which the current revision recommends every hub accept, over HTTP on the
 * embedded hub configured with an Ed25519 public key (and the test secret, for another issuer).
 */
class EdDsaTokensHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ED_ISSUER = "https://ed-issuer.test";
    private static final KeyPair KEY = Tokens.ed25519();
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = Hubs.start(Map.of("ssekit.hub.jwt.publicKey", Tokens.pem(KEY.getPublic()),
                "ssekit.hub.jwt.publicKey.issuer", ED_ISSUER, "ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.jwt.issuer", Tokens.ISSUER, "ssekit.hub.resource", Tokens.RESOURCE));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static String publisher(KeyPair pair, String issuer) {
        return Tokens.edDsa(pair, accessClaims(List.of(detail("publish", List.of(matcher("*", null)))))
                .issuer(issuer).build(), "at+jwt");
    }

    private static HttpResponse<String> publish(String token) throws Exception {
        return MercureClient.post(hub.uri(), "topic=ed&data=x", Tokens.bearer(token));
    }

    @Test
    void edDsaAccessTokens_publishAndSubscribe() throws Exception {
        String reader = Tokens.edDsa(KEY, accessClaims(List.of(detail("subscribe", List.of(matcher("ed", null)))))
                .issuer(ED_ISSUER).build(), "at+jwt");
        try (RawSseClient c = MercureClient.subscribeRaw(hub.uri(), "match=ed", Tokens.bearer(reader))) {
            HttpResponse<String> r = MercureClient.post(hub.uri(), "topic=ed&data=secret&private=on",
                    Tokens.bearer(publisher(KEY, ED_ISSUER)));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("secret", c.next(WAIT).data());
        }
        // The old revision's mercure claim, signed with EdDSA, works too.
        String legacy = Tokens.edDsa(KEY, Tokens.claims(List.of("*"), null).build(), "JWT");
        assertEquals(200, publish(legacy).statusCode());
    }

    @Test
    void edDsaTokens_badSignatureOtherKeyOrOtherIssuer_get401() throws Exception {
        String good = publisher(KEY, ED_ISSUER);
        char last = good.charAt(good.length() - 2);
        String tampered = good.substring(0, good.length() - 2) + (last == 'A' ? 'B' : 'A') + good.charAt(good.length() - 1);
        Map<String, String> refused = Map.of(
                "tampered signature", tampered,
                "another Ed25519 key", publisher(Tokens.ed25519(), ED_ISSUER),
                "the secret's issuer, signed with the Ed key", publisher(KEY, Tokens.ISSUER),
                "truncated signature", good.substring(0, good.lastIndexOf('.') + 10));
        for (Map.Entry<String, String> e : refused.entrySet()) {
            HttpResponse<String> r = publish(e.getValue());
            assertEquals(401, r.statusCode(), e.getKey() + ": " + r.body());
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""),
                    e.getKey());
        }
        assertEquals(200, publish(good).statusCode());
    }

    @Test
    void settings_edDsaNeedsAnEdKey_andIsTheDefaultForOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecuritySettings.read(
                dev.ssekit.internal.Settings.of(Map.of("ssekit.hub.jwt.publicKey",
                        Tokens.pem(Tokens.RSA.getPublic()), "ssekit.hub.jwt.algorithms", "EdDSA"))));
        assertTrue(e.getMessage().contains("EdDSA needs an Ed25519 or Ed448 key in ssekit.hub.jwt.publicKey"),
                e.getMessage());
        SecuritySettings ed = SecuritySettings.read(dev.ssekit.internal.Settings.of(Map.of(
                "ssekit.hub.jwt.publicKey", Tokens.pem(KEY.getPublic()))));
        assertTrue(ed.verifier().describe().startsWith("EdDSA,"), ed.verifier().describe());
    }
}
