package dev.ssekit.testsupport;

import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** A user's resource, as the library guide shows it. */
@RequestScoped
@Path("orders")
public class AnnotatedOrderResource {
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Subscribe(topic = "orders/{id}")
    public void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse) {
    }

    @GET
    @Path("{id}/declared")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Subscribe(topic = "orders/{id}")
    public void declared(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                         @Context SseEventSink sink, @Context Sse sse) {
    }

    @POST
    @Path("{id}/status")
    @Consumes(MediaType.TEXT_PLAIN)
    @Produces(MediaType.TEXT_PLAIN)
    @Publish(topic = "orders/{id}", type = "status")
    public String status(@PathParam("id") String id, String status) {
        return status.isEmpty() ? null : status; // null: nothing to broadcast
    }
}
