package dev.ssekit.app.security;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may publish on hubs configured differently, one hub at a time (two embedded hubs in one JVM
 * would share Jersey's CDI lookup).
 */
class PublishPolicyTest {
    private static final String REALM = "Bearer realm=\"mercure\"";

    @Test
    void anonymousPublish_explicitlyOnWithAKey_allowsAnyone() throws Exception {
        try (EmbeddedHub open = Hubs.start(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.anonymous.publish", "true"))) {
            assertTrue(open.security().anonymousPublish());
            assertEquals(200, MercureClient.post(open.uri(), "topic=a&data=x").statusCode());
            // A token that is sent must still be valid.
            assertEquals(401, MercureClient.post(open.uri(), "topic=a&data=x",
                    Tokens.bearer(Tokens.hs256(Tokens.WRONG_SECRET, Tokens.claims(java.util.List.of("*"), null).build()))).statusCode());
        }
    }

    @Test
    void anonymousPublish_refusesOtherSitesPages_andLeavesOtherSchemesToTheContainer() throws Exception {
        try (EmbeddedHub dev = Hubs.start(Map.of())) {
            String self = "http://127.0.0.1:" + dev.uri().getPort();
            // A page of another site posts a form with no preflight: refused.
            HttpResponse<String> evil = MercureClient.post(dev.uri(), "topic=a&data=x", Map.of("Origin", "https://evil.example"));
            assertEquals(403, evil.statusCode(), evil.body());
            assertEquals("publish: anonymous publishing accepts no request from another site's page (Origin or "
                    + "Referer); list the page's origin in ssekit.hub.cors.origins\n", evil.body());
            assertEquals(403, MercureClient.post(dev.uri(), "topic=a&data=x",
                    Map.of("Referer", "https://evil.example/page")).statusCode());
            // The hub's own page (the demo) and clients that are not pages (curl) may.
            assertEquals(200, MercureClient.post(dev.uri(), "topic=a&data=x", Map.of("Origin", self)).statusCode());
            assertEquals(200, MercureClient.post(dev.uri(), "topic=a&data=x").statusCode());
            // Basic credentials belong to the container's security in front of the hub, not to the hub.
            assertEquals(200, MercureClient.post(dev.uri(), "topic=a&data=x",
                    Map.of("Authorization", "Basic cHVibGlzaGVyOnNlY3JldA==")).statusCode());
        }
    }

    @Test
    void embeddedDefault_anonymousOnlyOnLoopbackWithoutKeyUnlessTurnedOff() throws Exception {
        try (EmbeddedHub dev = Hubs.start(Map.of())) {
            assertTrue(dev.security().anonymousPublish(), "the development default on loopback");
            assertFalse(dev.security().anonymousSet());
            assertEquals(200, MercureClient.post(dev.uri(), "topic=a&data=x").statusCode());
        }
        try (EmbeddedHub locked = Hubs.start(Map.of("ssekit.hub.anonymous.publish", "false"))) {
            assertFalse(locked.security().anonymousPublish());
            HttpResponse<String> r = MercureClient.post(locked.uri(), "topic=a&data=x");
            assertEquals(401, r.statusCode());
            assertEquals(REALM + ", resource_metadata=\"" + locked.uri().resolve(
                    "/.well-known/oauth-protected-resource/.well-known/mercure") + "\"",
                    r.headers().firstValue("WWW-Authenticate").orElse(null));
            assertEquals("publish: this hub accepts no publisher: no JWT key is configured (ssekit.hub.jwt.secret or "
                            + "ssekit.hub.jwt.publicKey) and ssekit.hub.anonymous.publish is not true\n", r.body());
        }
        try (EmbeddedHub keyed = Hubs.start(Tokens.hubWithSecret())) {
            // With a key the embedded hub asks for tokens, as the WAR does.
            assertFalse(keyed.security().anonymousPublish());
            assertEquals(401, MercureClient.post(keyed.uri(), "topic=a&data=x").statusCode());
        }
    }

    @Test
    void es256_fromAnEcPublicKey() throws Exception {
        try (EmbeddedHub ec = Hubs.start(Map.of("ssekit.hub.jwt.publicKey", Tokens.pem(Tokens.EC.getPublic())))) {
            assertEquals(200, MercureClient.post(ec.uri(), "topic=a&data=x",
                    Tokens.bearer(Tokens.es256(Tokens.claims(java.util.List.of("a"), null).build()))).statusCode());
            // An HS256 token means nothing to a hub with only a public key.
            HttpResponse<String> hs = MercureClient.post(ec.uri(), "topic=a&data=x", Tokens.bearer(Tokens.publisher("*")));
            assertEquals(401, hs.statusCode());
            assertEquals("the token's algorithm is not accepted here (accepted: ES256)\n", hs.body());
        }
    }
}
