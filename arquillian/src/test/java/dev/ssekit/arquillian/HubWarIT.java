package dev.ssekit.arquillian;

import dev.ssekit.test.ReceivedEvent;
import dev.ssekit.test.SseRecorder;
import dev.ssekit.testkit.MercureClient;
import dev.ssekit.testkit.RawSseClient;
import dev.ssekit.testkit.Tokens;

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
        // Each container frames the data itself (Jersey, RESTEasy): every line needs its own data: field.
        // No blank line inside: RESTEasy drops those (README, "Event").
        String data = "first line\nsecond: 2\r\nthird \u00e9\u20ac\ud83d\ude00\nlast";
        try (RawSseClient c = MercureClient.subscribeRaw(hub(), "topic=lines", Map.of())) {
            String id = MercureClient.publish(hub(), PUBLISHER, "lines", data);
            assertEquals(new RawSseClient.Received(id, null, data.replace("\r\n", "\n"), null), c.next(WAIT));
            assertTrue(c.rawText().contains("data:first line\ndata:second: 2\ndata:third")
                    || c.rawText().contains("data: first line\ndata: second: 2\ndata: third"), c.rawText());
        }
    }

    @Test
    void publishNeedsAValidToken_privateUpdatesReachOnlyAuthorizedSubscribers() throws Exception {
        URI hub = hub();
        HttpResponse<String> anonymous = MercureClient.post(hub, "topic=orders&data=x");
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("Bearer realm=\"mercure\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(null));
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
