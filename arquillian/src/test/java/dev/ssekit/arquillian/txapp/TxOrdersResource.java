package dev.ssekit.arquillian.txapp;

import dev.ssekit.Hub;
import dev.ssekit.Topic;
import dev.ssekit.cdi.TopicName;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The orders' stream, and requests that run {@link OrderService}'s transactions. */
@RequestScoped
@Path("orders")
public class TxOrdersResource {
    /** Latches shared by two requests, by name, to force the order of their commits. */
    private static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();

    @Inject
    Hub hub;

    @Inject
    @TopicName("orders")
    Topic<String> orders;

    @Inject
    OrderService service;

    private static CountDownLatch latch(String name) {
        return LATCHES.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink,
                          @Context Sse sse) throws Exception {
        orders.subscribe(hub.open(sink), lastEventId);
    }

    @POST
    @Path("{order}")
    @Produces(MediaType.TEXT_PLAIN)
    public String place(@PathParam("order") String order) throws Exception {
        return service.place(order);
    }

    /** Places an order and returns once its event is stored. */
    @POST
    @Path("{order}/stored")
    @Produces(MediaType.TEXT_PLAIN)
    public String placeAndAwaitStored(@PathParam("order") String order) throws Exception {
        return service.placeTracked(order).stored().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @POST
    @Path("{order}/fail")
    @Produces(MediaType.TEXT_PLAIN)
    public Response placeThenFail(@PathParam("order") String order) throws Exception {
        try {
            service.placeThenFail(order);
            return Response.ok("committed").build();
        } catch (IllegalStateException e) {
            return Response.status(409).entity(e.getMessage()).build();
        }
    }

    /** Broadcasts first, commits once {@code commitAfter} counted down; counts down {@code order}-broadcast. */
    @POST
    @Path("{order}/hold/{commitAfter}")
    @Produces(MediaType.TEXT_PLAIN)
    public String placeAndHold(@PathParam("order") String order, @PathParam("commitAfter") String commitAfter)
            throws Exception {
        String id = service.placeAndHold(order, latch(order + "-broadcast"), latch(commitAfter + "-committed"));
        latch(order + "-committed").countDown();
        return id;
    }

    /** Waits until {@code after} has broadcast, then places, commits and waits until stored. */
    @POST
    @Path("{order}/after/{after}")
    @Produces(MediaType.TEXT_PLAIN)
    public String placeAfter(@PathParam("order") String order, @PathParam("after") String after) throws Exception {
        if (!latch(after + "-broadcast").await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(after + " did not broadcast");
        }
        // Committed on return; counted as committed once stored, so that the other one commits after.
        String id = service.placeTracked(order).stored().toCompletableFuture().get(30, TimeUnit.SECONDS);
        latch(order + "-committed").countDown();
        return id;
    }

    @GET
    @Path("count/{prefix}")
    @Produces(MediaType.TEXT_PLAIN)
    public String count(@PathParam("prefix") String prefix) throws Exception {
        return Integer.toString(service.count(prefix));
    }
}
