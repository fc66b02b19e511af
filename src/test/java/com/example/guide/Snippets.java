package com.example.guide;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.Topic;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The library guide's code fragments (docs/library.md), each between a {@code // snippet: name} line
 * and a {@code // end snippet} line, written there exactly as here without this file's indentation;
 * {@code LibraryGuideExamplesTest} compares them and runs them.
 */
public final class Snippets {
    private Snippets() {
    }

    /** Section "Event": the events it makes. */
    static Event[] events() {
        // snippet: event
        Event e = Event.of("Order #123 shipped")       // data; may be empty or span lines
                .withType("notification")               // the client's addEventListener("notification", …)
                .withId("notif-456")                    // sent back as Last-Event-ID on reconnect
                .withRetry(Duration.ofSeconds(3));      // reconnection delay hint
        Event ping = Event.comment("keep-alive");       // ignored by clients
        // end snippet
        return new Event[] {e, ping};
    }

    /** Section "Hub and Topic": hubs built without CDI; returns the second, still open, for the caller to close. */
    static Hub builtHubs() {
        // snippet: hub-builder
        try (Hub hub = Hub.builder().heartbeat(Duration.ofSeconds(15)).build()) {      // configuration + setter
            Topic<Order> orders = hub.topic("orders", Order.class);
            String id = orders.publish(new Order("42", 1200)).id();
        }
        Hub fixed = Hub.builder().config(Map.of("ssekit.heartbeat", "15s")).build();   // only these keys; close it too
        // end snippet
        return fixed;
    }

    /** Section "Conn": a resource that opens a connection of the hub and sends on it. */
    @Path("hello")
    public static class Hello {
        private static final Logger log = Logger.getLogger(Hello.class.getName());

        // snippet: conn
        @Inject Hub hub;                                   // the application's hub

        @GET @Produces(MediaType.SERVER_SENT_EVENTS)
        public void events(@Context SseEventSink sink) {
            Conn conn = hub.open(sink);                    // with the hub's heartbeat, queue and timeouts
            conn.closeAfter(Duration.ofMinutes(30));       // optional, like the Go UpgradeWithContext timeout
            conn.send(Event.of("hello"));                  // CompletionStage: completes once written
            conn.send(Event.comment("no data, just a comment"));
            conn.done().thenAccept(reason -> log.info("ended: " + reason));
        }
        // end snippet
    }
}
