package dev.ssekit.bench.jmh;

import dev.ssekit.Event;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.internal.conn.ConnSettings;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.dispatch.Dispatcher;
import dev.ssekit.internal.dispatch.EventFilter;

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

import java.lang.reflect.Proxy;
import java.util.HashMap;
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
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutBench {
    @Param({"1000"})
    public int subscribers;

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

    @Setup(Level.Trial)
    public void setUp() {
        SseBroadcaster broadcaster = (SseBroadcaster) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{SseBroadcaster.class}, (p, m, a) -> null);
        Sse sse = (Sse) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Sse.class},
                (p, m, a) -> m.getName().equals("newBroadcaster") ? broadcaster : null);
        // A long heartbeat: only the broadcasts are measured.
        ConnSettings settings = ConnSettings.DEFAULTS.withHeartbeat(java.time.Duration.ofHours(1));
        dispatcher = new Dispatcher("fanout", InMemoryHistoryStore.create(), true, settings, dev.ssekit.internal.Limits.DEFAULTS, null, dev.ssekit.spi.MetricsBinding.NONE, null,
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
    public void tearDown() {
        dispatcher.close();
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
