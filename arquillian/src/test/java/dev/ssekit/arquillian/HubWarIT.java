package dev.ssekit.arquillian;

import dev.ssekit.Event;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;
import dev.ssekit.testsupport.WireCases;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub WAR, as built, deployed on the server this run targets (Payara Micro or WildFly, by
 * {@code arquillian.launch}) with only a test key added to its configuration, and used over real
 * HTTP with tokens signed here.
 */
@ExtendWith(ArquillianExtension.class)
class HubWarIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive hubWar() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war")))
                .addAsResource(new StringAsset("ssekit.hub.jwt.secret=" + Tokens.SECRET + "\n"
                                + "ssekit.hub.jwt.issuer=" + Tokens.ISSUER + "\n"
                                + "ssekit.hub.resource=" + Tokens.RESOURCE + "\n"),
                        "META-INF/microprofile-config.properties");
    }

    private static final String PUBLISHER = Tokens.publisher("*");

    /** The deployment's URL on loopback: Payara names the host's own address. */
    private URI hub() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath());
    }

    @Test
    void publishSubscribeAndReplayOverHttp() throws Exception {
        URI hub = hub();
        String first = MercureClient.publish(hub, PUBLISHER, "orders", "one");
        String second = MercureClient.publish(hub, PUBLISHER, "orders", "two");
        try (SseRecorder live = MercureClient.subscribe(hub, "topic=orders", Map.of("Last-Event-ID", first))) {
            assertEquals(new ReceivedEvent(second, null, "two", null), live.takeEvent(), "replayed");
            String third = MercureClient.publish(hub, PUBLISHER, "orders", "three");
            assertEquals(new ReceivedEvent(third, null, "three", null), live.takeEvent(), "live");
            assertEquals("no-cache", live.header("Cache-Control"));
            assertEquals(first, live.header("Mercure-Last-Event-ID"));
        }
        try (SseRecorder back = MercureClient.subscribe(hub, "topic=orders", Map.of("Last-Event-ID", second))) {
            back.assertData("three");
        }
    }

    @Test
    void multiLineUnicodeData_arrivesWholeOnBothContainers() throws Exception {
        // Every line needs its own data: field, whichever writer frames it.
        String data = "first line\nsecond: 2\r\nthird \u00e9\u20ac\ud83d\ude00\nlast";
        try (RawSseClient c = MercureClient.subscribeRaw(hub(), "topic=lines", Map.of())) {
            String id = MercureClient.publish(hub(), PUBLISHER, "lines", data);
            assertEquals(new RawSseClient.Received(id, null, data.replace("\r\n", "\n"), null), c.next(WAIT));
            assertTrue(c.rawText().contains("data:first line\ndata:second: 2\ndata:third")
                    || c.rawText().contains("data: first line\ndata: second: 2\ndata: third"), c.rawText());
        }
    }

    /** @return true on the WildFly run (RESTEasy), false on Payara's (Jersey) */
    static boolean onWildFly() {
        return "wildfly".equals(System.getProperty("arquillian.launch"));
    }

    @Test
    void awkwardData_arrivesExactlyAsPublishedLiveAndReplayed() throws Exception {
        List<String> ids = new ArrayList<>();
        try (RawSseClient live = MercureClient.subscribeRaw(hub(), "topic=awkward", Map.of())) {
            List<RawSseClient.Received> received = new ArrayList<>();
            for (String data : WireCases.DATA) {
                ids.add(MercureClient.publish(hub(), PUBLISHER, "awkward", data));
                // One at a time: the framing below is each event's own write; events that queue up
                // together may go out in one write (by design), framed as one.
                received.add(live.next(WAIT));
            }
            assertParsed(ids, received);
            String raw = live.rawText();
            // On both servers the hub WAR serves an EventSource's GET below JAX-RS (SubscribeFilter):
            // the head, then every frame as ssekit framed it, through its sink on the servlet response
            // and then its own transport straight to the servlet output: the exact bytes, without the
            // chunk delimiter (one LF) Jersey's sink adds after each event, and without RESTEasy's
            // writer, which merges line breaks in data.
            for (String frame : frames(ids)) {
                assertTrue(raw.contains("\n" + frame), frame + " in " + raw);
                assertFalse(raw.contains(frame + "\n"), "written through a JAX-RS sink: " + frame + " in " + raw);
            }
        }
        try (RawSseClient replayed = MercureClient.subscribeRaw(hub(), "topic=awkward",
                Map.of("Last-Event-ID", "earliest"))) {
            assertParsed(ids, replayed.next(WireCases.DATA.size(), WAIT));
        }
    }

    /** @return the frames of the published awkward events, as ssekit frames them */
    private static List<String> frames(List<String> ids) {
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            frames.add(Event.of(WireCases.DATA.get(i)).withId(ids.get(i)).toWireFormat());
        }
        return frames;
    }

    private static void assertParsed(List<String> ids, List<RawSseClient.Received> received) {
        for (int i = 0; i < ids.size(); i++) {
            String data = WireCases.DATA.get(i);
            assertEquals(new RawSseClient.Received(ids.get(i), null, WireCases.parsed(data), null), received.get(i),
                    "published " + WireCases.show(data));
        }
    }

    @Test
    void publishNeedsAValidToken_privateUpdatesReachOnlyAuthorizedSubscribers() throws Exception {
        URI hub = hub();
        HttpResponse<String> anonymous = MercureClient.post(hub, "topic=orders&data=x");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        // The challenge names the protected resource metadata where the WAR serves it, under its context path.
        assertEquals("Bearer realm=\"mercure\", resource_metadata=\"" + hub
                        + ".well-known/oauth-protected-resource/.well-known/mercure\"",
                anonymous.headers().firstValue("WWW-Authenticate").orElse(null));
        HttpResponse<String> forged = MercureClient.post(hub, "topic=orders&data=x", Tokens.bearer(
                Tokens.none(Tokens.claims(List.of("*"), null).build())));
        assertEquals(401, forged.statusCode(), forged.body());
        assertEquals(403, MercureClient.post(hub, "topic=orders&data=x",
                Tokens.bearer(Tokens.publisher("other"))).statusCode());

        try (SseRecorder everyone = MercureClient.subscribe(hub, "topic=secret-orders", Map.of());
             SseRecorder allowed = MercureClient.subscribe(hub, "topic=secret-orders",
                     Tokens.bearer(Tokens.subscriber("secret-orders")))) {
            assertEquals(200, MercureClient.post(hub, "topic=secret-orders&data=private&private=on",
                    Tokens.bearer(PUBLISHER)).statusCode());
            MercureClient.publish(hub, PUBLISHER, "secret-orders", "public");
            allowed.assertData("private", "public");
            assertEquals("public", everyone.takeEvent().data(), "the private update never reaches it");
        }
    }

    /** @return an RFC 9068 access token ({@code typ: at+jwt}) of the test issuer, for the test resource */
    private static String accessToken(String action, String match, String matchType) {
        return Tokens.accessToken(Tokens.accessClaims(List.of(Tokens.detail(action,
                List.of(Tokens.matcher(match, matchType))))).build(), "at+jwt");
    }

    @Test
    void currentRevision_accessTokensPublishAndSubscribe_patternsReplay_privateOnlyWithAGrant() throws Exception {
        URI hub = hub();
        String books = "https://example.com/war/books/";
        String publisher = accessToken("publish", books + ":id", "urlpattern");
        String reader = accessToken("subscribe", books + ":id", "urlpattern");
        String query = "match_urlpattern=" + MercureClient.encode(books + ":id");
        String first = MercureClient.publish(hub, publisher, books + "1", "one");
        try (RawSseClient anonymous = MercureClient.subscribeRaw(hub, query + "&last_event_id="
                + MercureClient.encode(first), Map.of());
             RawSseClient granted = MercureClient.subscribeRaw(hub, query, Tokens.bearer(reader));
             RawSseClient cookie = MercureClient.subscribeRaw(hub, query,
                     Map.of("Cookie", "__Secure-mercure_access_token=" + reader))) {
            assertEquals(first, anonymous.header("Mercure-Last-Event-ID"));
            HttpResponse<String> secret = MercureClient.post(hub, "topic=" + MercureClient.encode(books + "2")
                    + "&data=secret&private=", Tokens.bearer(publisher));
            assertEquals(200, secret.statusCode(), secret.body());
            assertTrue(secret.headers().firstValue("Content-Type").orElse("").toLowerCase().startsWith("text/plain"));
            String pub = MercureClient.publish(hub, publisher, books + "3", "public");
            assertEquals(List.of("secret", "public"), data(granted.next(2, WAIT)));
            assertEquals(List.of("secret", "public"), data(cookie.next(2, WAIT)));
            // Nothing after first but the public update: the private one never reaches it, live or replayed.
            RawSseClient.Received only = anonymous.next(WAIT);
            assertEquals(pub, only.id());
        }
        try (RawSseClient replayed = MercureClient.subscribeRaw(hub, query + "&last_event_id="
                + MercureClient.encode(first), Tokens.bearer(reader))) {
            assertEquals(List.of("secret", "public"), data(replayed.next(2, WAIT)), "replay by pattern, with the grant");
        }
        // The token's rights bound what it may publish, and its audience and type are checked.
        HttpResponse<String> elsewhere = MercureClient.post(hub, "topic=" + MercureClient.encode(
                "https://example.com/war/authors/1") + "&data=x", Tokens.bearer(publisher));
        assertEquals(403, elsewhere.statusCode(), elsewhere.body());
        assertTrue(elsewhere.headers().firstValue("WWW-Authenticate").orElse("").contains("insufficient_scope"));
        String otherAudience = Tokens.accessToken(Tokens.accessClaims(List.of(Tokens.detail("publish",
                List.of(Tokens.matcher("*", null))))).audience("https://other-hub.test").build(), "at+jwt");
        HttpResponse<String> wrongAud = MercureClient.post(hub, "topic=t&data=x", Tokens.bearer(otherAudience));
        assertEquals(401, wrongAud.statusCode(), wrongAud.body());
        assertTrue(wrongAud.headers().firstValue("WWW-Authenticate").orElse("").contains("error=\"invalid_token\""));
    }

    @Test
    void oldRevision_mercureClaimAndCookie_stillPublishAndSubscribe() throws Exception {
        URI hub = hub();
        String topic = "https://example.com/war/legacy/1";
        try (RawSseClient template = MercureClient.subscribeRaw(hub, "topic=" + MercureClient.encode(
                "https://example.com/war/legacy/{id}"), Map.of("Cookie", "mercureAuthorization="
                + Tokens.subscriber("https://example.com/war/legacy/{id}")))) {
            assertEquals(200, MercureClient.post(hub, "topic=" + MercureClient.encode(topic) + "&data=private&private=on",
                    Tokens.bearer(Tokens.publisher(topic))).statusCode());
            MercureClient.publish(hub, Tokens.publisher("https://example.com/war/legacy/{id}"), topic, "public");
            assertEquals(List.of("private", "public"), data(template.next(2, WAIT)));
        }
    }

    @Test
    void discovery_linkHeaderMetadataAndTheChallengeThatNamesIt() throws Exception {
        URI hub = hub();
        URI endpoint = hub.resolve(MercureClient.PATH);
        String link = "<" + endpoint + ">; rel=\"mercure\"";
        HttpResponse<String> refused = MercureClient.post(hub, "topic=t&data=x");
        assertEquals(401, refused.statusCode());
        assertEquals(link, refused.headers().firstValue("Link").orElse(null), "on a refusal");
        HttpResponse<String> published = MercureClient.post(hub, "topic=t&data=x", Tokens.bearer(PUBLISHER));
        assertEquals(link, published.headers().firstValue("Link").orElse(null), "on a publish");
        try (RawSseClient stream = MercureClient.subscribeRaw(hub, "match=t", Map.of())) {
            assertEquals(link, stream.header("Link"), "on a stream");
        }
        String challenge = refused.headers().firstValue("WWW-Authenticate").orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("resource_metadata=\"([^\"]+)\"").matcher(challenge);
        assertTrue(m.find(), challenge);
        URI metadataUrl = URI.create(m.group(1));
        HttpResponse<String> metadata = MercureClient.get(metadataUrl, "application/json");
        assertEquals(200, metadata.statusCode(), metadataUrl + ": " + metadata.body());
        assertTrue(metadata.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(metadata.body().contains("\"resource\":\"" + Tokens.RESOURCE + "\""), metadata.body());
        assertTrue(metadata.body().contains("\"authorization_details_types_supported\":[\"https://mercure.rocks/authorization-detail\"]"),
                metadata.body());
        assertTrue(metadata.body().contains("\"mercure_cookie\":\"__Secure-mercure_access_token\""), metadata.body());
        // Where RFC 9728 would derive it from the hub's URL is outside the WAR's context path, which the
        // WAR cannot serve: docs/hub.md asks for the root context, or a proxy rule, for that location.
        URI derived = hub.resolve("/.well-known/oauth-protected-resource" + endpoint.getPath());
        assertEquals(404, MercureClient.get(derived, "application/json").statusCode(), derived.toString());
    }

    @Test
    void queryMethod_matchersInAFormBody_replayAndLive() throws Exception {
        URI hub = hub();
        String books = "https://example.com/war/query/";
        String first = MercureClient.publish(hub, PUBLISHER, books + "1", "one");
        MercureClient.publish(hub, PUBLISHER, books + "2", "two");
        try (RawSseClient c = RawSseClient.open(hub, "QUERY", hub.getPath() + MercureClient.PATH + "?match=unused",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), "match_urlpattern="
                        + MercureClient.encode(books + ":id") + "&last_event_id=" + MercureClient.encode(first))) {
            assertEquals(200, c.awaitStatus(WAIT), c.rawText());
            assertEquals(first, c.header("Mercure-Last-Event-ID"));
            assertEquals("two", c.next(WAIT).data(), "replayed");
            MercureClient.publish(hub, PUBLISHER, books + "3", "three");
            assertEquals("three", c.next(WAIT).data(), "live");
        }
    }

    private static List<String> data(List<RawSseClient.Received> events) {
        return events.stream().map(RawSseClient.Received::data).toList();
    }

    @Test
    void badInputGets400NamingTheField() throws Exception {
        HttpResponse<String> r = MercureClient.post(hub(), "data=x", Tokens.bearer(PUBLISHER));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("topic: at least one topic parameter is required"), r.body());
        assertUtf8Text(r);
        // A subscription's refusal comes from the subscribe filter, below JAX-RS: the same type.
        HttpResponse<String> subscribe = MercureClient.get(hub().resolve(MercureClient.PATH + "?matchx=a"),
                "text/event-stream");
        assertEquals(400, subscribe.statusCode(), subscribe.body());
        assertUtf8Text(subscribe);
    }

    private static void assertUtf8Text(HttpResponse<String> r) {
        assertEquals("text/plain;charset=utf-8", r.headers().firstValue("Content-Type").orElse("")
                .replace(" ", "").toLowerCase(), r.body());
    }
}
