package dev.ssekit.arquillian;

import dev.ssekit.arquillian.app.OrderApplication;
import dev.ssekit.arquillian.app.OrderStream;
import dev.ssekit.arquillian.app.SubscriberLog;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;

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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A test of the testing guide's kind (its own example runs in src/it/shop): a user's {@code @Subscribe} resource
 * ({@link OrderStream#orderEvents}) checked with the test kit from the client side, live and by replay
 * after {@code Last-Event-ID}, on Payara and WildFly.
 */
@ExtendWith(ArquillianExtension.class)
class OrderEventsIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false) // run as a client: the test talks HTTP to the deployed WAR
    static WebArchive war() {
        return ShrinkWrap.create(WebArchive.class, "order-events.war")
                .addClasses(OrderApplication.class, OrderStream.class, SubscriberLog.class)
                .addAsLibrary(new File(System.getProperty("ssekit.jar")))
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml");
    }

    /** A path of the WAR's API, on loopback (Payara names the host's own address). */
    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath() + "api/orders/" + path);
    }

    private void post(String path, String form) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void orderEvents_liveThenReplayAfterLastEventId() throws Exception {
        SseRecorder events = SseRecorder.to(api("5/events")).open();
        ReceivedEvent packed;
        try (events) {
            assertEquals(200, events.status());
            post("6/status", "status=other-order"); // another order's topic: not for this stream
            post("5/status", "status=packed");
            packed = events.assertData("packed").get(0);
            assertEquals("status", packed.type());
            events.assertExhausted();
        }
        post("5/status", "status=shipped"); // while away: nobody listens
        try (SseRecorder back = events.reconnect()) { // sends Last-Event-ID: <packed's id>
            assertEquals(packed.id(), back.header("Mercure-Last-Event-ID"));
            back.assertData("shipped"); // replayed
            post("5/status", "status=delivered");
            back.assertData("delivered"); // then live
            back.assertExhausted();
        }
    }
}
