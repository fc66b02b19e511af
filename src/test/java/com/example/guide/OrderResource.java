package com.example.guide;

import dev.ssekit.Topic;
import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.cdi.TopicName;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.SseEventSink;

@RequestScoped
@Path("orders")
public class OrderResource {
    @Inject @TopicName("orders") Topic<Order> orders;  // @Inject @TopicName Topic<T> alerts: the field's name

    @GET @Path("{id}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
    @Subscribe(topic = "orders/{id}")                  // subscribes the sink, replays after Last-Event-ID
    public void events(@PathParam("id") String id, @Context SseEventSink sink) {
    }

    @POST @Path("{id}/status") @Consumes(MediaType.APPLICATION_JSON)
    @Publish(topic = "orders/{id}", type = "status")   // type: the client's addEventListener("status", ...)
    public OrderStatus update(@PathParam("id") String id, OrderStatus status) {
        return status;                                 // the response is unchanged, plus SseKit-Event-ID
    }

    @POST @Consumes(MediaType.APPLICATION_JSON) @Produces(MediaType.TEXT_PLAIN)
    public String create(Order order) {
        return orders.publish(order).id();             // published from code; answers the event's id
    }
}
