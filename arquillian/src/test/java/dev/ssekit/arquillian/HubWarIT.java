package dev.ssekit.arquillian;

import dev.ssekit.Event;
import dev.ssekit.test.ReceivedEvent;
import dev.ssekit.test.SseRecorder;
import dev.ssekit.testkit.MercureClient;
import dev.ssekit.testkit.RawSseClient;
import dev.ssekit.testkit.Tokens;
import dev.ssekit.testkit.WireCases;

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
                .addAsResource(new StringAsset("ssekit.hub.jwt.secret=" + Tokens.SECRET + "\n"),
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
            for (String data : WireCases.DATA) {
                ids.add(MercureClient.publish(hub(), PUBLISHER, "awkward", data));
            }
            assertParsed(ids, live.next(WireCases.DATA.size(), WAIT));
            String raw = live.rawText();
            if (onWildFly()) {
                // RESTEasy's SseEventProvider writes every event: data it would merge comes as one
                // comment whose lines are the frame's, with CR as the line break.
                assertTrue(raw.contains(": \rid: " + ids.get(0) + "\rdata: a\rdata: \rdata: b\n\n"), raw);
                assertTrue(raw.contains("\nid: " + ids.get(3) + "\ndata: \n\n"), raw);
                assertTrue(raw.contains("\nid: " + ids.get(4) + "\ndata: \ndata: leading\n\n"), raw);
            } else {
                // ssekit's FrameWriter, then Jersey's chunk delimiter (one LF).
                for (int i = 0; i < ids.size(); i++) {
                    String frame = Event.of(WireCases.DATA.get(i)).withId(ids.get(i)).toWireFormat();
                    assertTrue(raw.contains("\n" + frame + "\n"), frame + " in " + raw);
                }
            }
        }
        try (RawSseClient replayed = MercureClient.subscribeRaw(hub(), "topic=awkward",
                Map.of("Last-Event-ID", "earliest"))) {
            assertParsed(ids, replayed.next(WireCases.DATA.size(), WAIT));
        }
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
        // The challenge names the protected resource metadata (RFC 9728), under the WAR's context path.
        assertEquals("Bearer realm=\"mercure\", resource_metadata=\"" + hub.resolve("/").toString()
                        .replaceAll("/$", "") + "/.well-known/oauth-protected-resource" + hub.getPath()
                        + MercureClient.PATH + "\"",
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

    @Test
    void badInputGets400NamingTheField() throws Exception {
        HttpResponse<String> r = MercureClient.post(hub(), "data=x", Tokens.bearer(PUBLISHER));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("topic: at least one topic parameter is required"), r.body());
    }
}
