package dev.ssekit.app.security;

import com.nimbusds.jwt.JWTClaimsSet;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The payloads that subscribe grants attach to subscriptions, in both revisions' tokens. */
class MercureClaimsTest {
    private static final URI HUB = URI.create("https://hub.example/.well-known/mercure");
    private static final String TYPE = MercureClaims.DETAIL_TYPE;

    @Test
    void current_thePayloadOfTheFirstMatchingSubscribeGrant_orNoneWhenThatGrantHasNone() {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().expirationTime(new java.util.Date())
                .claim("authorization_details", List.of(
                        Map.of("type", TYPE, "actions", List.of("subscribe"),
                                "topics", List.of(Map.of("match", "https://example.com/bar/:id", "match_type", "urlpattern")),
                                "payload", Map.of("n", 1)),
                        Map.of("type", TYPE, "actions", List.of("subscribe"),
                                "topics", List.of(Map.of("match", "https://example.com/quiet"))),
                        Map.of("type", TYPE, "actions", List.of("subscribe", "publish"),
                                "topics", List.of(Map.of("match", "*")), "payload", Map.of("default", true))))
                .build();
        MercureClaims c = MercureClaims.current(claims, HUB);
        // The subscription's own matcher string is matched as if it were a topic.
        assertEquals(Optional.of("{\"n\":1}"), c.payloadFor("https://example.com/bar/:id"));
        assertEquals(Optional.empty(), c.payloadFor("https://example.com/quiet"));
        assertEquals(Optional.of("{\"default\":true}"), c.payloadFor("urn:anything"));
    }

    @Test
    void legacy_thePayloadOfTheMercureClaim_anyJsonValue_forEverySubscription() {
        JWTClaimsSet object = new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("subscribe", List.of("*"), "payload", Map.of("user", "a"))).build();
        assertEquals(Optional.of("{\"user\":\"a\"}"), MercureClaims.legacy(object).payloadFor("urn:x"));
        JWTClaimsSet string = new JWTClaimsSet.Builder()
                .claim("mercure", Map.of("subscribe", List.of("*"), "payload", "plain \"text\"")).build();
        assertEquals(Optional.of("\"plain \\\"text\\\"\""), MercureClaims.legacy(string).payloadFor("urn:x"));
        JWTClaimsSet none = new JWTClaimsSet.Builder().claim("mercure", Map.of("subscribe", List.of("*"))).build();
        assertEquals(Optional.empty(), MercureClaims.legacy(none).payloadFor("urn:x"));
    }
}
