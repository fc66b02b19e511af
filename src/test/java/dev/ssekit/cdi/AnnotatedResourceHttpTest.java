package dev.ssekit.cdi;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.SseKitFeature;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testkit.StreamEnd;
import dev.ssekit.testsupport.AnnotatedOrderResource;
import dev.ssekit.testsupport.InjectedHub;
import dev.ssekit.testsupport.JerseyWeld;

import jakarta.ws.rs.POST;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code @Subscribe} and {@code @Publish} on a JAX-RS resource, over HTTP on loopback (Jersey on Grizzly,
 * Weld SE): replay after the request's {@code Last-Event-ID} whether or not the method declares it, and the
 * id of a broadcast event in the response's {@code SseKit-Event-ID} header.
 */
class AnnotatedResourceHttpTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static WeldContainer weld;
    private static HttpServer withFeature;
    private static HttpServer withoutFeature;
    private static Hub topics;

    @BeforeAll
    static void start() throws Exception {
        weld = JerseyWeld.start("ssekit-annotated-http", AnnotatedOrderResource.class, InjectedHub.class);
        topics = weld.select(InjectedHub.class).get().hub();
        withFeature = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig(AnnotatedOrderResource.class, SseKitFeature.class));
        withoutFeature = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig(AnnotatedOrderResource.class));
    }

    @AfterAll
    static void stop() {
        if (withFeature != null) {
            withFeature.shutdownNow();
        }
        if (withoutFeature != null) {
            withoutFeature.shutdownNow();
        }
        if (weld != null) {
            weld.shutdown();
        }
    }

    private static URI uri(HttpServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.getListeners().iterator().next().getPort() + "/orders/" + path);
    }

    private static String publish(String topic, String data) {
        return topics.publish(List.of(topic), Event.of(data).withType("status")).id();
    }

    @Test
    void sseStream_replaysAfterTheRequestsLastEventIdWithoutTheParameter() {
        String packed = publish("orders/1", "packed");
        String shipped = publish("orders/1", "shipped");
        try (SseRecorder events = SseRecorder.to(uri(withFeature, "1/events")).header("Last-Event-ID", packed).open()) {
            assertEquals(200, events.status());
            assertEquals(packed, events.header("Mercure-Last-Event-ID"), "replay started after the client's id");
            events.assertEvent(shipped, "status", "shipped");
            String delivered = publish("orders/1", "delivered");
            events.assertEvent(delivered, "status", "delivered"); // then live
            events.assertExhausted();
        }
    }

    @Test
    void sseStream_replaysAfterTheDeclaredParameter() {
        String packed = publish("orders/2", "packed");
        String shipped = publish("orders/2", "shipped");
        try (SseRecorder events = SseRecorder.to(uri(withFeature, "2/declared")).header("Last-Event-ID", packed)
                .open()) {
            assertEquals(packed, events.header("Mercure-Last-Event-ID"));
            events.assertEvent(shipped, "status", "shipped");
            events.assertExhausted();
        }
    }

    @Test
    void sseStream_withoutLastEventIdIsLiveOnly() {
        publish("orders/3", "before");
        try (SseRecorder events = SseRecorder.to(uri(withFeature, "3/events")).open()) {
            assertEquals(200, events.status());
            assertNull(events.header("Mercure-Last-Event-ID"));
            String after = publish("orders/3", "after");
            events.assertEvent(after, "status", "after");
            events.assertExhausted();
        }
    }

    @Test
    void sseStream_withoutTheFeatureAnswers500NamingIt() {
        try (SseRecorder events = SseRecorder.to(uri(withoutFeature, "4/events")).header("Last-Event-ID", "x").open()) {
            StreamEnd end = events.assertEnded(StreamEnd.Reason.HTTP_STATUS);
            assertEquals(500, end.status());
            assertTrue(end.body().contains("@Subscribe on " + AnnotatedOrderResource.class.getName() + ".events cannot read the "
                    + "request's Last-Event-ID, so it could not replay what the client missed: register "
                    + "dev.ssekit.SseKitFeature in the JAX-RS Application"), end.body());
        }
        // A method that declares the header needs no filter to read it.
        String packed = publish("orders/4", "packed");
        String shipped = publish("orders/4", "shipped");
        try (SseRecorder events = SseRecorder.to(uri(withoutFeature, "4/declared")).header("Last-Event-ID", packed)
                .open()) {
            events.assertEvent(shipped, "status", "shipped");
        }
    }

    @Test
    void publish_answersTheIdOfTheEventItPublished() throws Exception {
        try (SseRecorder events = SseRecorder.to(uri(withFeature, "5/events")).open()) {
            assertEquals(200, events.status()); // the head follows the subscription: it is in place
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(withFeature, "5/status"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("paid")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("paid", r.body(), "the response is the method's result");
            String id = r.headers().firstValue(SseKitFeature.EVENT_ID_HEADER).orElseThrow(
                    () -> new AssertionError("no " + SseKitFeature.EVENT_ID_HEADER + " header: " + r.headers().map()));
            events.assertEvent(id, "status", "paid");

            HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(uri(withFeature, "5/status"))
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, none.statusCode());
            assertEquals(List.of(), none.headers().allValues(SseKitFeature.EVENT_ID_HEADER), "nothing was published");
            events.assertExhausted();
        }
    }
}
