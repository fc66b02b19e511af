package dev.ssekit.arquillian;

import dev.ssekit.testkit.MercureClient;
import dev.ssekit.testkit.RawSseClient;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
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
 * The hub WAR, as built, deployed unchanged on the server this run targets (Payara Micro or WildFly,
 * by {@code arquillian.launch}), and used over real HTTP.
 */
@ExtendWith(ArquillianExtension.class)
class HubWarIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive hubWar() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war")));
    }

    /** The deployment's URL on loopback: Payara names the host's own address. */
    private URI hub() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath());
    }

    @Test
    void publishSubscribeAndReplayOverHttp() throws Exception {
        URI hub = hub();
        String first = MercureClient.publish(hub, "orders", "one");
        String second = MercureClient.publish(hub, "orders", "two");
        try (RawSseClient live = MercureClient.subscribe(hub, "topic=orders", Map.of("Last-Event-ID", first))) {
            assertEquals(new RawSseClient.Received(second, null, "two", null), live.next(WAIT), "replayed");
            String third = MercureClient.publish(hub, "orders", "three");
            assertEquals(new RawSseClient.Received(third, null, "three", null), live.next(WAIT), "live");
            assertEquals("no-cache", live.header("Cache-Control"));
            assertEquals(first, live.header("Mercure-Last-Event-ID"));
        }
        try (RawSseClient back = MercureClient.subscribe(hub, "topic=orders", Map.of("Last-Event-ID", second))) {
            assertEquals(List.of("three"), back.next(1, WAIT).stream().map(RawSseClient.Received::data).toList());
        }
    }

    @Test
    void badInputGets400NamingTheField() throws Exception {
        HttpResponse<String> r = MercureClient.post(hub(), "data=x");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("topic: at least one topic parameter is required"), r.body());
    }
}
