package com.example.guide;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.PublishMode;
import dev.ssekit.Subscription;
import dev.ssekit.Topic;
import dev.ssekit.TopicStats;
import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.cdi.TopicName;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.spi.SubscriberConnected;
import dev.ssekit.testkit.SseRecorder;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import javax.sql.DataSource;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The API page's code (docs/API.md, section 1), each block between a {@code // snippet: name} line and
 * a {@code // end snippet} line, written there exactly as here without this file's indentation, in
 * the context it needs to compile; {@code LibraryGuideExamplesTest} checks that they match. Compiled,
 * not run: the page designs the API, the guides' examples run it.
 */
@SuppressWarnings("unused")
final class ApiPageSnippets {
    private ApiPageSnippets() {
    }

    /** "Open a stream from a JAX-RS resource". */
    static class Feed {
        // snippet: open
        @Inject Hub hub;                                   // register SseKitFeature in your Application

        @GET @Produces(MediaType.SERVER_SENT_EVENTS)
        public void feed(@Context SseEventSink sink) {
            Conn conn = hub.open(sink);                    // writes start at the first subscribe or send
            conn.send(Event.of("hello").withType("greeting"));   // stage completes once written
        }
        // end snippet
    }

    /** "Join and leave topics". */
    static void join(Hub hub, Conn conn, Topic<Order> orders, String lastEventId) {
        // snippet: join
        Subscription s = hub.subscribe(conn, List.of("orders", "alerts"), lastEventId);
        orders.subscribe(conn, lastEventId, o -> o.total() > 100);        // Topic<Order>, typed filter
        hub.subscribe(conn, List.of(), lastEventId, t -> t.contains("audit"));  // trailing TopicMatcher
        s.cancel();                                                        // leaves; the Conn stays open
        // end snippet
    }

    /** "Publish after the JTA commit, now, or asynchronously". */
    static void publish(Hub hub, Topic<Order> orders, Order order, Order progress, String json) {
        // snippet: publish
        String id = orders.publish(order).id();        // in a transaction: stored and sent after the commit
        orders.publish(progress, PublishMode.NOW);     // at once, whatever the transaction
        orders.publish(order).stored()                 // completes with the id once stored; fails on
              .whenComplete((stored, e) -> log(stored, e));   // rollback (CancellationException) or store refusal
        hub.publish(List.of("orders/42", "audit"), Event.of(json).withType("status"));  // an Event, as is
        // end snippet
    }

    private static void log(String stored, Throwable failure) {
    }

    /** "Replay from Last-Event-ID". */
    static class Replay {
        @Inject Hub hub;
        @Inject @TopicName("orders") Topic<Order> orders;

        // snippet: replay
        @GET @Produces(MediaType.SERVER_SENT_EVENTS)
        public void events(@HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink) {
            Subscription s = orders.subscribe(hub.open(sink), lastEventId);  // null: live only
        }   // s.replayStartedAfter(): the id, or "earliest" when it was unknown or expired
        // end snippet
    }

    /** "Configure". */
    static void configure() {
        // snippet: configure
        Hub hub = Hub.builder().heartbeat(Duration.ofSeconds(15)).build();  // reads the same keys; setters win
        Hub bare = Hub.builder().config(Map.of()).build();                  // these values only (tests)
        // end snippet
        hub.close();
        bare.close();
    }

    /** "Inject a hub with CDI". */
    static class Injected {
        // snippet: inject
        @Inject Hub hub;                                   // the application's: configured, health-checked,
                                                           // and closed (every stream ended) at undeploy
        @Inject @TopicName("orders") Topic<Order> orders;  // JSON-B; a Topic<String> is sent as it is
        @Inject @TopicName Topic<String> alerts;           // topic "alerts": the field's name
        // end snippet
    }

    /** "Annotate a resource". */
    static class Annotated {
        // snippet: annotate
        @GET @Path("{id}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
        @Subscribe(topic = "orders/{id}")                  // opens, subscribes, replays after the request's
        public void events(@PathParam("id") String id, @Context SseEventSink sink) { }   // Last-Event-ID

        @POST @Path("{id}/status") @Consumes(MediaType.APPLICATION_JSON) @Produces(MediaType.APPLICATION_JSON)
        @Publish(topic = "orders/{id}", type = "status")   // response gets header SseKit-Event-ID: <id>
        public OrderStatus update(@PathParam("id") String id, OrderStatus status) { return status; }
        // end snippet
    }

    /** "Plug a history store". */
    static void store(DataSource dataSource, Order order) throws Exception {
        // snippet: store
        HistoryStore store = JdbcHistoryStore.builder(dataSource).maxAge(Duration.ofDays(1)).build();
        try (store; Hub hub = Hub.builder().history(store).build()) {   // a given store is the caller's to close
            hub.topic("orders", Order.class).publish(order);
        }
        // end snippet
    }

    /** "Listen to subscribers, read counts". */
    static class Listening {
        @Inject @TopicName("orders") Topic<Order> orders;

        // snippet: listen
        void joined(@Observes SubscriberConnected e) { }           // CDI; or Hub.builder().listener(...)

        TopicStats stats() {
            return orders.stats();                                 // or hub.stats("orders"): subscribers,
        }                                                          // published, delivered, dropped, cut, replayed
        // end snippet
    }

    /** "Test a stream". */
    static void test(URI uri) {
        // snippet: test
        SseRecorder events = SseRecorder.to(uri).open();
        try (events) {
            String one = post("orders", "one");           // your publish endpoint, answering the id
            events.assertEvent(one, null, "one");
            events.assertExhausted();
        }
        String two = post("orders", "two");               // while away
        try (SseRecorder back = events.reconnect()) {     // sends Last-Event-ID: <one>
            back.assertEvent(two, null, "two");           // replayed, then live events follow
        }
        // end snippet
    }

    private static String post(String topic, String data) {
        return topic + data;
    }
}
