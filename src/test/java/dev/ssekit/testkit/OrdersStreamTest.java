package dev.ssekit.testkit;

import dev.ssekit.app.embedded.EmbeddedHub;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The test kit against the embedded hub: subscribe, publish, check, reconnect, check the replay. */
class OrdersStreamTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = EmbeddedHub.start("127.0.0.1", 0); // on loopback with no JWT key: anyone here may publish
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /** Publishes {@code data} to topic "orders"; returns the event's id. */
    private static String publish(String data) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(hub.uri().resolve(".well-known/mercure"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("topic=orders&data=" + data)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void orders_liveThenReplayAfterLastEventId() throws Exception {
        URI orders = hub.uri().resolve(".well-known/mercure?topic=orders");
        SseRecorder events = SseRecorder.to(orders).open();
        String one;
        try (events) {
            assertEquals(200, events.status());
            one = publish("one");
            events.assertEvent(one, null, "one");
            events.assertExhausted();
        }
        String two = publish("two"); // while away: nobody listens
        try (SseRecorder back = events.reconnect()) { // sends Last-Event-ID: <one>
            assertEquals(one, back.header("Mercure-Last-Event-ID"));
            back.assertEvent(two, null, "two"); // replayed
            String three = publish("three");
            back.assertEvent(three, null, "three"); // then live
            back.assertExhausted();
        }
    }
}
