package dev.ssekit.arquillian.app;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.Topic;
import dev.ssekit.TopicStats;
import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.cdi.TopicName;
import dev.ssekit.testsupport.WireCases;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** A user's resource: an injected hub, a subscribe method and a publish method. */
@RequestScoped
@Path("orders")
public class OrderStream {
    @Inject
    Hub hub;

    @Inject
    @TopicName("orders")
    Topic<String> orders;

    @Inject
    @TopicName
    Topic<String> metered;

    @Inject
    SubscriberLog subscribers;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink,
                          @Context Sse sse) {
        orders.subscribe(hub.open(sink), lastEventId);
    }

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public String publish(@FormParam("data") String data) {
        return orders.publish(data).id();
    }

    /** One order's stream, declared rather than coded. */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Subscribe(topic = "orders/{id}")
    public void orderEvents(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
                            @Context SseEventSink sink, @Context Sse sse) {
    }

    /** An order's status update, broadcast on that order's topic. */
    @POST
    @Path("{id}/status")
    @Produces(MediaType.TEXT_PLAIN)
    @Publish(topic = "orders/{id}", type = "status")
    public String status(@PathParam("id") String id, @FormParam("status") String status) {
        return status;
    }

    /** The response is the note itself; {@code @Publish} sends it to topic "orders" as "created". */
    @POST
    @Path("created")
    @Produces(MediaType.TEXT_PLAIN)
    @Publish(topic = "orders", type = "created")
    public String created(@FormParam("note") String note) {
        return note;
    }

    /**
     * An order's review, answered with the status the client asks for: {@code @Publish} sends the
     * note on the order's topic only when that status is 2xx.
     */
    @POST
    @Path("{id}/review")
    @Produces(MediaType.TEXT_PLAIN)
    @Publish(topic = "orders/{id}", type = "review")
    public Response review(@PathParam("id") String id, @FormParam("status") int status,
                           @FormParam("note") String note) {
        return Response.status(status).entity(note).build();
    }

    /** An order's review refused by an exception carrying its error response: nothing is broadcast. */
    @POST
    @Path("{id}/review/refused")
    @Produces(MediaType.TEXT_PLAIN)
    @Publish(topic = "orders/{id}", type = "review")
    public String refusedReview(@PathParam("id") String id, @FormParam("note") String note) {
        throw new WebApplicationException(Response.status(Response.Status.CONFLICT).entity(note).build());
    }

    /** The subscriber CDI events observed so far. */
    @GET
    @Path("subscribers")
    @Produces(MediaType.TEXT_PLAIN)
    public String subscriberEvents() {
        return subscribers.text();
    }

    /** A stream of topic "metered", whose counts {@link #stats()} and the metrics report. */
    @GET
    @Path("metered")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void meteredStream(@Context SseEventSink sink, @Context Sse sse) {
        metered.subscribe(hub.open(sink), null);
    }

    @POST
    @Path("metered")
    @Produces(MediaType.TEXT_PLAIN)
    public String publishMetered(@FormParam("data") String data) {
        return metered.publish(data).id();
    }

    /** The topic "metered"'s counts: subscribers, published, delivered, dropped, cut, replayed. */
    @GET
    @Path("metered/stats")
    @Produces(MediaType.TEXT_PLAIN)
    public String stats() {
        TopicStats s = metered.stats();
        return s.subscribers() + " " + s.published() + " " + s.delivered() + " " + s.dropped() + " " + s.cut() + " "
                + s.replayed();
    }

    /** A connection that writes comments and data the containers' writers used to change, then ends. */
    @GET
    @Path("awkward")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void awkward(@Context SseEventSink sink, @Context Sse sse) {
        Conn conn = hub.open(sink);
        for (String comment : WireCases.COMMENTS) {
            conn.send(Event.comment(comment));
        }
        for (String data : WireCases.DATA) {
            conn.send(Event.of(data).withType("awkward"));
        }
        conn.close();
    }

    /** A connection subscribed to nothing: it writes one event and stays open until the application stops. */
    @GET
    @Path("plain")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void plain(@Context SseEventSink sink, @Context Sse sse) {
        hub.open(sink).send(Event.of("plain"));
    }
}
