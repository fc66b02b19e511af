package dev.ssekit.bench.war;

import dev.ssekit.bench.Payload;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /raw/api/{topic}} subscribes, {@code POST /raw/api/{topic}} (form field {@code data}, a
 * {@link Payload} as JSON) broadcasts it the tutorial's way (a builder per event, the container writes
 * JSON per sink), {@code POST end/{topic}} closes a topic's broadcaster, {@code GET stats} reports the
 * server JVM (both WARs share it).
 */
@Path("")
public class RawResource {
    private static final Map<String, SseBroadcaster> BROADCASTERS = new ConcurrentHashMap<>();
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final Jsonb JSON = JsonbBuilder.create();

    @GET
    @Path("{topic}")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@PathParam("topic") String topic, @Context SseEventSink sink, @Context Sse sse) {
        SseBroadcaster b = BROADCASTERS.computeIfAbsent(topic, t -> {
            SseBroadcaster made = sse.newBroadcaster();
            made.onClose(s -> CLIENTS.decrementAndGet());
            return made;
        });
        // The tutorial's welcome: it also commits the response headers, as ssekit's ": connected" does.
        sink.send(sse.newEvent("welcome"));
        b.register(sink);
        CLIENTS.incrementAndGet();
    }

    @POST
    @Path("{topic}")
    @Produces(MediaType.TEXT_PLAIN)
    public String publish(@PathParam("topic") String topic, @FormParam("data") String data, @Context Sse sse) {
        SseBroadcaster b = BROADCASTERS.get(topic);
        if (b == null) {
            return "nobody";
        }
        Payload p = JSON.fromJson(data, Payload.class);
        OutboundSseEvent e = sse.newEventBuilder().id(Long.toString(p.seq))
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(Payload.class, p).build();
        b.broadcast(e);
        return "ok";
    }

    @POST
    @Path("end/{topic}")
    @Produces(MediaType.TEXT_PLAIN)
    public String end(@PathParam("topic") String topic) {
        SseBroadcaster b = BROADCASTERS.remove(topic);
        if (b != null) {
            b.close();
        }
        return "ok";
    }

    /** Heap used (after a full GC when asked), open descriptors and their limit, threads. */
    @GET
    @Path("stats")
    @Produces(MediaType.TEXT_PLAIN)
    public String stats(@QueryParam("gc") boolean gc) throws Exception {
        return ProcessStats.line(gc) + " rawClients=" + CLIENTS.get();
    }
}
