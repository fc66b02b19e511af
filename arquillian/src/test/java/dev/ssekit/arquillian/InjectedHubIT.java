package dev.ssekit.arquillian;

import dev.ssekit.arquillian.app.OrderApplication;
import dev.ssekit.arquillian.app.OrderStream;
import dev.ssekit.testkit.RawSseClient;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A user's WAR: the ssekit jar in WEB-INF/lib and a resource with {@code @Inject @Topic Hub<String>}. */
@ExtendWith(ArquillianExtension.class)
class InjectedHubIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive userWar() {
        return ShrinkWrap.create(WebArchive.class, "orders.war")
                .addClasses(OrderApplication.class, OrderStream.class)
                .addAsLibrary(new File(System.getProperty("ssekit.jar")))
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    private URI api() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath() + "api/orders");
    }

    private String publish(String data) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("data=" + data)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void injectedHubBroadcastsAndReplays() throws Exception {
        String first = publish("one");
        String second = publish("two");
        try (RawSseClient c = RawSseClient.open(api(), api().getPath(), Map.of("Last-Event-ID", first))) {
            assertEquals(200, c.awaitStatus(WAIT));
            assertEquals(new RawSseClient.Received(second, null, "two", null), c.next(WAIT));
            String third = publish("three");
            assertEquals(new RawSseClient.Received(third, null, "three", null), c.next(WAIT));
            assertEquals(first, c.header("Mercure-Last-Event-ID"));
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api() + "/created"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("note=tea")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, created.statusCode(), created.body());
            assertEquals("tea", created.body(), "@Broadcast leaves the response unchanged");
            RawSseClient.Received event = c.next(WAIT);
            assertEquals("created", event.type());
            assertEquals("tea", event.data());
        }
    }

    private String post(URI uri, String form) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void annotatedStreamGetsItsOrdersEventsAndReplays() throws Exception {
        URI events = URI.create(api() + "/7/events");
        String lastSeen;
        try (RawSseClient c = RawSseClient.open(events, events.getPath(), Map.of())) {
            assertEquals(200, c.awaitStatus(WAIT));
            post(URI.create(api() + "/8/status"), "status=other-order");
            post(URI.create(api() + "/7/status"), "status=packed");
            RawSseClient.Received packed = c.next(WAIT);
            assertEquals(new RawSseClient.Received(packed.id(), "status", "packed", null), packed);
            lastSeen = packed.id();
        }
        post(URI.create(api() + "/7/status"), "status=shipped");
        try (RawSseClient back = RawSseClient.open(events, events.getPath(), Map.of("Last-Event-ID", lastSeen))) {
            assertEquals(200, back.awaitStatus(WAIT));
            assertEquals("shipped", back.next(WAIT).data(), "missed while away: replayed");
            assertEquals(lastSeen, back.header("Mercure-Last-Event-ID"));
        }
    }
}
