package dev.ssekit.testsupport;

import dev.ssekit.Conn;
import dev.ssekit.Hub;
import dev.ssekit.OverflowPolicy;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A JAX-RS resource the way a user writes one with ssekit; it hands each opened Conn to the test. */
@Path("s")
public final class StreamResource {
    private final Hub topics;
    /** Every connection opened, in order. */
    public final BlockingQueue<Conn> opened = new LinkedBlockingQueue<>();
    private final Queue<Hub> ownHubs = new ConcurrentLinkedQueue<>();

    public StreamResource(Hub topics) {
        this.topics = topics;
    }

    @GET
    @Path("topics")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@QueryParam("topic") List<String> topic, @HeaderParam("Last-Event-ID") String last,
                          @Context SseEventSink sink, @Context Sse sse) {
        Conn conn = topics.open(sink);
        opened.add(conn);
        topics.subscribe(conn, topic, last);
    }

    /** Opens a connection, then returns without subscribing it, as a resource whose check failed. */
    @GET
    @Path("unsubscribed")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void unsubscribed(@Context SseEventSink sink, @Context Sse sse) {
        opened.add(topics.open(sink));
    }

    /** A user's own event, sent on the sink without ssekit, then the stream ends. */
    @GET
    @Path("own")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void own(@QueryParam("data") String data, @Context SseEventSink sink, @Context Sse sse) {
        sink.send(sse.newEventBuilder().name("own").data(data).build())
                .whenComplete((ok, error) -> sink.close());
    }

    /** Exact topics plus a {@link dev.ssekit.spi.TopicMatcher} taking every topic that starts with {@code prefix}. */
    @GET
    @Path("prefix")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void prefix(@QueryParam("topic") List<String> topic, @QueryParam("prefix") String prefix,
                       @HeaderParam("Last-Event-ID") String last, @Context SseEventSink sink, @Context Sse sse) {
        Conn conn = topics.open(sink);
        opened.add(conn);
        topics.subscribe(conn, topic, last, set -> set.stream().anyMatch(t -> t.startsWith(prefix)));
    }

    @GET
    @Path("standalone")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void standalone(@QueryParam("lifetimeMs") Long lifetimeMs, @QueryParam("policy") OverflowPolicy policy,
                           @QueryParam("capacity") Integer capacity, @QueryParam("writeTimeoutMs") Long writeTimeoutMs,
                           @QueryParam("maxBytes") Long maxBytes, @QueryParam("maxDelayMs") Long maxDelayMs,
                           @Context SseEventSink sink, @Context Sse sse) {
        // Connection settings are a hub's: each such stream gets a hub of its own, closed at teardown.
        Hub.Builder b = Hub.builder().config(Map.of()).heartbeat(Duration.ofMillis(300));
        if (lifetimeMs != null) {
            b.maxLifetime(Duration.ofMillis(lifetimeMs));
        }
        if (policy != null) {
            b.overflowPolicy(policy);
        }
        if (capacity != null) {
            b.queueCapacity(capacity);
        }
        if (writeTimeoutMs != null) {
            b.writeTimeout(Duration.ofMillis(writeTimeoutMs));
        }
        if (maxBytes != null) {
            b.queueMaxBytes(maxBytes);
        }
        if (maxDelayMs != null) {
            b.queueMaxDelay(Duration.ofMillis(maxDelayMs));
        }
        Hub own = b.build();
        ownHubs.add(own);
        opened.add(own.open(sink));
    }

    /** Closes the hubs of the standalone streams. */
    public void closeOwnHubs() {
        ownHubs.forEach(Hub::close);
    }
}
