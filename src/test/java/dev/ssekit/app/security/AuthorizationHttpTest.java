package dev.ssekit.app.security;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testkit.StreamEnd;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.Tokens;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static dev.ssekit.testsupport.MercureClient.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publish and subscribe authorization over HTTP, Mercure's way: tokens signed here with known keys,
 * good and bad, refused with RFC 6750 answers.
 */
class AuthorizationHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BARE_REALM = "Bearer realm=\"mercure\"";
    /** Every challenge names the protected resource metadata (RFC 9728); set once the hub's port is known. */
    private static String REALM;
    /** HS256 with the test secret and RS256 with the test RSA key. */
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = Hubs.start(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.jwt.publicKey", Tokens.pem(Tokens.RSA.getPublic()),
                "ssekit.hub.jwt.algorithms", "HS256, RS256",
                "ssekit.hub.cors.origins", "https://app.example.com"));
        REALM = BARE_REALM + ", resource_metadata=\"" + hub.uri().resolve(
                "/.well-known/oauth-protected-resource/.well-known/mercure") + "\"";
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static HttpResponse<String> publishWith(String token, String form) throws Exception {
        return MercureClient.post(hub.uri(), form, token == null ? Map.of() : Tokens.bearer(token));
    }

    private static JWTClaimsSet.Builder mayPublish(String... selectors) {
        return Tokens.claims(List.of(selectors), null);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String challenge, String body) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(challenge, r.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(body + "\n", r.body());
    }

    private static void assertInvalid(HttpResponse<String> r, String reason) {
        assertRefused(r, 401, REALM + ", error=\"invalid_token\", error_description=\"" + reason + "\"", reason);
    }

    @Test
    void publish_withoutToken_401WithChallengeAndNoErrorCode() throws Exception {
        assertRefused(publishWith(null, "topic=a&data=x"), 401, REALM,
                "publish: an access token is required, in Authorization: Bearer or the __Secure-mercure_access_token cookie");
    }

    @Test
    void publish_withValidTokens_hs256AndRs256() throws Exception {
        assertEquals(200, publishWith(Tokens.publisher("a"), "topic=a&data=x").statusCode());
        assertEquals(200, publishWith(Tokens.rs256(mayPublish("*").build()), "topic=a&data=x").statusCode());
    }

    @Test
    void publish_wrongKey_401() throws Exception {
        assertInvalid(publishWith(Tokens.hs256(Tokens.WRONG_SECRET, mayPublish("*").build()), "topic=a&data=x"),
                "the token's signature does not verify");
    }

    @Test
    void publish_claimOfTheWrongType_401NamingIt() throws Exception {
        assertInvalid(publishWith(Tokens.hs256(Tokens.SECRET, mayPublish("*").claim("exp", "soon").build()),
                "topic=a&data=x"), "the token's exp claim has the wrong type (exp, nbf and iat are numbers; iss and sub"
                + " strings)");
    }

    @Test
    void publish_algNone_401() throws Exception {
        assertInvalid(publishWith(Tokens.none(mayPublish("*").build()), "topic=a&data=x"),
                "unsigned tokens (alg none) are refused");
    }

    @Test
    void publish_algorithmConfusion_rsaPublicKeyAsHmacSecret_401() throws Exception {
        // The classic attack: HS256 signed with the bytes of the public key the hub knows.
        String forged = Tokens.hs256(Tokens.pem(Tokens.RSA.getPublic()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                mayPublish("*").build());
        assertInvalid(publishWith(forged, "topic=a&data=x"), "the token's signature does not verify");
        String forgedDer = Tokens.hs256(Tokens.RSA.getPublic().getEncoded(), mayPublish("*").build());
        assertInvalid(publishWith(forgedDer, "topic=a&data=x"), "the token's signature does not verify");
    }

    @Test
    void publish_algorithmNotConfigured_401() throws Exception {
        assertInvalid(publishWith(Tokens.es256(mayPublish("*").build()), "topic=a&data=x"),
                "the token's algorithm is not accepted here (accepted: HS256, RS256)");
    }

    @Test
    void publish_expired_401() throws Exception {
        String expired = Tokens.hs256(Tokens.SECRET, mayPublish("*")
                .expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(5)))).build());
        assertInvalid(publishWith(expired, "topic=a&data=x"), "the token has expired");
    }

    @Test
    void publishAndSubscribe_secondsAfterExp_401_noClockSkewByDefault() throws Exception {
        String justExpired = Tokens.hs256(Tokens.SECRET, Tokens.claims(List.of("*"), List.of("*"))
                .expirationTime(Date.from(Instant.now().minus(Duration.ofSeconds(5)))).build());
        assertInvalid(publishWith(justExpired, "topic=a&data=x"), "the token has expired");
        HttpResponse<String> sub = dev.ssekit.testsupport.PlainHttp.send(java.net.http.HttpRequest.newBuilder(
                hub.uri().resolve(MercureClient.PATH + "?topic=a")).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + justExpired).GET().build());
        assertEquals(401, sub.statusCode(), sub.body());
        assertEquals("the token has expired\n", sub.body());
    }

    @Test
    void publish_notYetValid_401() throws Exception {
        String early = Tokens.hs256(Tokens.SECRET, mayPublish("*")
                .notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(5)))).build());
        assertInvalid(publishWith(early, "topic=a&data=x"), "the token is not valid yet (nbf)");
    }

    @Test
    void publish_garbageAndMalformedClaims_401() throws Exception {
        assertInvalid(publishWith("not.a.jwt", "topic=a&data=x"), "the token is not a well-formed JWT");
        String badClaim = Tokens.hs256(Tokens.SECRET, new JWTClaimsSet.Builder().claim("mercure",
                Map.of("publish", "*")).build());
        assertInvalid(publishWith(badClaim, "topic=a&data=x"),
                "the token's mercure.publish claim must be an array of topic selectors");
        // A malformed presentation of the token: 400 invalid_request (RFC 6750, as the protocol asks).
        assertRefused(publishWith("", "topic=a&data=x"), 400, BARE_REALM + ", error=\"invalid_request\"",
                "Authorization: use the Bearer scheme with a JWT");
    }

    @Test
    void publish_basicAuthorization_401WithChallengeAndNoErrorCode() throws Exception {
        // An unsupported authentication method: RFC 6750 3.1, no error code, as for a missing token.
        HttpResponse<String> basic = MercureClient.post(hub.uri(), "topic=a&data=x",
                Map.of("Authorization", "Basic dXNlcjpwYXNz"));
        assertRefused(basic, 401, REALM, "Authorization: only the Bearer scheme is supported, with an access token");
    }

    @Test
    void publish_missingClaim_403() throws Exception {
        String noMercure = Tokens.hs256(Tokens.SECRET, new JWTClaimsSet.Builder().subject("x").build());
        assertRefused(publishWith(noMercure, "topic=a&data=x"), 403, REALM + ", error=\"insufficient_scope\"",
                "publish: the token grants no publish right on topic \"a\"");
        // Every topic of the update must be allowed, not just one.
        assertRefused(publishWith(Tokens.publisher("a"), "topic=a&topic=b&data=x"), 403,
                REALM + ", error=\"insufficient_scope\"",
                "publish: the token grants no publish right on topic \"b\"");
        // A subscriber's token does not publish.
        assertEquals(403, publishWith(Tokens.subscriber("*"), "topic=a&data=x").statusCode());
    }

    @Test
    void publish_uriTemplateClaim_matchesOneSegment() throws Exception {
        String token = Tokens.publisher("https://example.com/books/{id}");
        assertEquals(200, publishWith(token, "topic=" + encode("https://example.com/books/1") + "&data=x").statusCode());
        assertEquals(403, publishWith(token, "topic=" + encode("https://example.com/books/1/reviews") + "&data=x")
                .statusCode());
        assertEquals(403, publishWith(token, "topic=" + encode("https://example.com/users/1") + "&data=x").statusCode());
    }

    @Test
    void publish_cookieToken_needsOriginOfTheHubOrAListedOne() throws Exception {
        String cookie = "mercureAuthorization=" + Tokens.publisher("*");
        String self = "http://127.0.0.1:" + hub.uri().getPort();
        assertEquals(200, MercureClient.post(hub.uri(), "topic=c&data=x", Map.of("Cookie", cookie, "Origin", self))
                .statusCode());
        assertEquals(200, MercureClient.post(hub.uri(), "topic=c&data=x",
                Map.of("Cookie", cookie, "Origin", "https://app.example.com")).statusCode());
        HttpResponse<String> forged = MercureClient.post(hub.uri(), "topic=c&data=x",
                Map.of("Cookie", cookie, "Origin", "https://evil.example"));
        assertEquals(403, forged.statusCode(), forged.body());
        assertEquals("publish: a token in a cookie needs an Origin header of this hub or of "
                + "ssekit.hub.cors.origins\n", forged.body());
        assertEquals(403, MercureClient.post(hub.uri(), "topic=c&data=x", Map.of("Cookie", cookie)).statusCode());
        // The Authorization header needs no origin: browsers never add it by themselves.
        assertEquals(200, publishWith(Tokens.publisher("*"), "topic=c&data=x").statusCode());
    }

    @Test
    void subscribe_invalidToken_401_missingToken_publicOnly() throws Exception {
        try (SseRecorder anonymous = MercureClient.subscribe(hub.uri(), "topic=a", Map.of())) {
            assertEquals(200, anonymous.status());
        }
        try (SseRecorder c = SseRecorder.to(hub.uri().resolve(MercureClient.PATH + "?topic=a"))
                .header("Authorization", "Bearer " + Tokens.hs256(Tokens.WRONG_SECRET,
                        Tokens.claims(null, List.of("*")).build())).open()) {
            assertEquals(401, c.status());
            assertTrue(c.header("WWW-Authenticate").contains("error=\"invalid_token\""), c.header("WWW-Authenticate"));
            c.assertEnded(StreamEnd.Reason.HTTP_STATUS);
        }
    }

    @Test
    void reservedPrefix_refusedForSubscribers() throws Exception {
        HttpResponse<String> r = MercureClient.send(hub.uri().resolve(MercureClient.PATH + "?topic="
                + encode("ssekit:private:a")), "GET", Map.of("Accept", "text/event-stream"));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("topic: names starting with ssekit:private: are reserved"), r.body());
    }
}
