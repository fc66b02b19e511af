package com.example.guide;

import dev.ssekit.Conn;
import dev.ssekit.Hub;
import dev.ssekit.Topic;
import dev.ssekit.cdi.TopicName;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.sse.SseEventSink;

@ApplicationScoped
public class OrderEvents {
    @Inject Hub hub;                                    // the application's hub, configured
    @Inject @TopicName("orders") Topic<Order> orders;   // values as JSON (JSON-B)

    public void subscribe(SseEventSink sink, String lastEventId) {
        Conn conn = hub.open(sink);
        orders.subscribe(conn, lastEventId);                        // replay, then live
        // or only some orders: orders.subscribe(conn, lastEventId, o -> o.total() > 100);
    }

    public String created(Order order) {
        return orders.publish(order).id();                          // the event's id
    }
}                                                                   // the server closes the hub
