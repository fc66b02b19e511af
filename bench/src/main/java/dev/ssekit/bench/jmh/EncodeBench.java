package dev.ssekit.bench.jmh;

import dev.ssekit.Event;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.Json;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Event encoding: what ssekit does once per broadcast (JSON-B, then the {@link Event} and its
 * JAX-RS form), and what writing the SSE frame to bytes costs, which the container's writer pays
 * per subscriber.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeBench {
    /** The bench payload's shape, public for JSON-B. */
    public static class Order {
        public long seq = 12345;
        public long sent = 987654321012L;
        public String item = "Widget, blue, 12 x 4 cm; warehouse B-17, shelf 3; ships in 2 days; gift wrap: no; "
                + "order notes: leave at the back door";
        public int qty = 2;
        public double price = 19.95;
        public boolean ok = true;
    }

    private Order order;
    private Event event;

    @Setup
    public void setUp() {
        order = new Order();
        event = Event.of(Json.jsonb().toJson(order)).withId("mwtsh9ra-12345");
    }

    /** Once per broadcast in ssekit: value to JSON to Event to the shared OutboundSseEvent. */
    @Benchmark
    public EncodedEvent encodePerBroadcast() {
        return EncodedEvent.of(Event.of(Json.jsonb().toJson(order)).withId("mwtsh9ra-12345"));
    }

    /** JSON-B alone: the plain broadcaster's per-subscriber serialisation of the POJO. */
    @Benchmark
    public String jsonOnly() {
        return Json.jsonb().toJson(order);
    }

    /** The SSE frame as bytes, the part a container writer repeats per subscriber. */
    @Benchmark
    public byte[] wireBytes() {
        return event.toWireFormat().getBytes(StandardCharsets.UTF_8);
    }
}
