package com.example.shop;

import dev.ssekit.testkit.SseRecorder;

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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shop's order events, checked from the client side on Payara Micro: live, then replayed after Last-Event-ID. */
@ExtendWith(ArquillianExtension.class)
class OrderEventsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false) // run as a client: the test talks HTTP to the WAR this project packaged
    static WebArchive war() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/shop.war"));
    }

    /** A URL of the shop's API, on loopback (Payara Micro names the host's own address). */
    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath() + "api/orders/" + path);
    }

    /** Posts an order's new state as JSON; returns the id of the event that published it. */
    private String post(String order, String state) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api(order + "/status"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"" + state + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.headers().firstValue("SseKit-Event-ID").orElseThrow();
    }

    /** Cancels an order; returns the id of the event the resource published from code. */
    private String cancel(String order) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api(order)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void orderEvents_liveThenReplayAfterLastEventId() throws Exception {
        SseRecorder events = SseRecorder.to(api("42/events")).open();
        String paid;
        try (events) {
            assertEquals(200, events.status());
            post("7", "paid"); // another order's topic: not for this stream
            paid = post("42", "paid");
            events.assertEvent(paid, null, "{\"state\":\"paid\"}");
            events.assertExhausted();
        }
        String packed = post("42", "packed"); // while away: nobody listens
        try (SseRecorder back = events.reconnect()) { // sends Last-Event-ID: <paid's id>
            back.assertEvent(packed, null, "{\"state\":\"packed\"}"); // replayed
            String cancelled = cancel("42");
            back.assertEvent(cancelled, null, "{\"state\":\"cancelled\"}"); // then live
            back.assertExhausted();
        }
    }
}
