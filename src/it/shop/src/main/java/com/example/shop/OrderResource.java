package com.example.shop;

import dev.ssekit.Hub;
import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
    @Inject Hub hub;  // the application's hub: configured, health-checked, closed at undeploy

    /** One order's events: what the client missed after its Last-Event-ID, then live. */
    @GET @Path("{id}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
    @Subscribe(topic = "orders/{id}")
    public void events(@PathParam("id") String id, @Context SseEventSink sink) {
    }

    /** Answers the status, and publishes it to the order's subscribers; header SseKit-Event-ID: its id. */
    @POST @Path("{id}/status") @Consumes(MediaType.APPLICATION_JSON) @Produces(MediaType.APPLICATION_JSON)
    @Publish(topic = "orders/{id}")
    public OrderStatus update(@PathParam("id") String id, OrderStatus status) {
        return status;
    }

    /** Publishes from code, through the injected hub; answers the event's id. */
    @DELETE @Path("{id}") @Produces(MediaType.TEXT_PLAIN)
    public String cancel(@PathParam("id") String id) {
        return hub.topic("orders/" + id, OrderStatus.class).publish(new OrderStatus("cancelled")).id();
    }
}
