package dev.ssekit.bench.jmh;

import dev.ssekit.Event;
import dev.ssekit.bench.BenchTelemetry;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.internal.conn.ConnSettings;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.conn.NonBlockingOutput;
import dev.ssekit.internal.conn.Outlets;
import dev.ssekit.internal.dispatch.Dispatcher;
import dev.ssekit.internal.dispatch.EventFilter;
import dev.ssekit.internal.metrics.LagSample;
import dev.ssekit.spi.MetricsBinding;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queueing, without I/O: one broadcast through the {@link Dispatcher} to N connections whose sinks
 * return at once, until every sink has been handed the event (history append, fan-out to the
 * bounded queues, the writer threads' drain). Reported as time per broadcast.
 *
 * <p>{@code telemetry=on} binds the dispatcher to an OpenTelemetry SDK as the embedded hub's is bound
 * (metrics read by a Prometheus reader, spans batched to an exporter that drops them; the bench
 * server's {@link BenchTelemetry}): with no I/O to hide it, the instrumentation's cost per delivery
 * shows here at its largest share (issue 23's 5 %). JMH runs each value in a JVM of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBench {
    @Param({"1000"})
    public int subscribers;

    /**
     * {@code nonblocking}: each stream is handed off to a non-blocking output that takes every write
     * at once (the embedded hub's and the WARs' transport, writers one per core); {@code sink}: it
     * stays on its JAX-RS sink (blocking, writers four per core).
     */
    @Param({"nonblocking", "sink"})
    public String transport;

    /** {@code off}: no metrics API bound; {@code on}: ssekit's metrics and spans recorded. */
    @Param({"off", "on"})
    public String telemetry;

    private final AtomicLong sent = new AtomicLong();
    private Dispatcher dispatcher;
    private final Set<String> topic = Set.of("t");
    private Event event;
    private long expected;

    /** A sink that counts what it is handed and returns at once. */
    final class CountingSink implements SseEventSink {
        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent e) {
            if (e.getData() != null) {
                sent.incrementAndGet();
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
        }
    }

    /** A container's output whose client reads at once: counts the event frames it is handed. */
    final class CountingOutput implements NonBlockingOutput {
        @Override
        public void whenServed(Runnable served) {
            served.run();
        }

        @Override
        public void listen(Listener listener) {
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void write(List<byte[]> frames) {
            int events = 0;
            for (byte[] frame : frames) {
                if (frame.length > 100) { // the event (some 200 bytes), not a comment or a retry hint
                    events++;
                }
            }
            sent.addAndGet(events);
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean terminate() {
            return true;
        }
    }

    private Runnable unregister = () -> { };

    @Setup(Level.Trial)
    public void setUp() {
        if (transport.equals("nonblocking")) {
            unregister = Outlets.register(CountingOutput::new);
        }
        SseBroadcaster broadcaster = (SseBroadcaster) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{SseBroadcaster.class}, (p, m, a) -> null);
        Sse sse = (Sse) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Sse.class},
                (p, m, a) -> m.getName().equals("newBroadcaster") ? broadcaster : null);
        // A long heartbeat: only the broadcasts are measured.
        ConnSettings settings = ConnSettings.DEFAULTS.withHeartbeat(java.time.Duration.ofHours(1));
        MetricsBinding metrics = telemetry.equals("on") ? BenchTelemetry.installAndBind() : MetricsBinding.NONE;
        dispatcher = new Dispatcher("fanout", InMemoryHistoryStore.create(), true, settings, dev.ssekit.internal.Limits.DEFAULTS, null, metrics, null,
                dev.ssekit.internal.tx.Transactions.NONE);
        for (int i = 0; i < subscribers; i++) {
            Connection c = dispatcher.open(new CountingSink(), settings, null);
            Map<String, EventFilter> filters = new HashMap<>();
            filters.put("t", null);
            dispatcher.subscribe(c, filters, null);
        }
        event = Event.of("{\"item\":\"Widget, blue, 12 x 4 cm; warehouse B-17, shelf 3; ships in 2 days\","
                + "\"ok\":true,\"price\":19.95,\"qty\":2,\"sent\":987654321012,\"seq\":12345}");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            checkRecords();
        } finally {
            dispatcher.close();
            unregister.run();
        }
    }

    /** Read before the close, which ends the deliveries' count's callback. */
    private void checkRecords() throws IOException {
        if (telemetry.equals("on")) {
            // The run counts only if every delivery was counted and the lag histogram took each
            // broadcast's whole sample (LagSample: every stride-th subscriber).
            String scrape = BenchTelemetry.scrape();
            double written = sample(scrape, "ssekit_deliveries_total{", "ssekit_delivery_outcome=\"written\"");
            double recorded = sample(scrape, "ssekit_delivery_lag_seconds_count", "");
            int stride = LagSample.stride(subscribers);
            long broadcasts = expected / subscribers;
            long sampled = broadcasts * (subscribers / stride);
            if (written < expected || recorded < sampled || recorded > broadcasts * LagSample.PER_EVENT) {
                throw new IllegalStateException("counted " + written + " of " + expected + " deliveries, the lag of "
                        + recorded + ", not " + sampled + " to " + broadcasts * LagSample.PER_EVENT);
            }
            System.out.printf("%n%.0f of %d deliveries counted, the lag of %.0f (sample of at least %d)%n", written,
                    expected, recorded, sampled);
        }
    }

    /** @return the first sample of {@code metric} whose line holds {@code label} */
    private static double sample(String scrape, String metric, String label) {
        String line = scrape.lines().filter(l -> l.startsWith(metric) && l.contains(label)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + metric + " " + label + " in the scrape"));
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Benchmark
    public long broadcastToAll() {
        expected += subscribers;
        dispatcher.publish(topic, event, null);
        while (sent.get() < expected) {
            Thread.onSpinWait();
        }
        return expected;
    }
}
