package dev.ssekit.internal.metrics;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.spi.MetricsBinding;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.context.Context;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.CDI;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports to the OpenTelemetry metrics API: the server's {@code OpenTelemetry} (MicroProfile
 * Telemetry's CDI bean on WildFly and other MicroProfile 7 servers, the embedded hub's own), else
 * the global one when an SDK set it. Never an SDK of its own: a WAR reports through its server's.
 * The names, units and attributes are documented in docs/operations.md ("Metrics").
 *
 * <p>A delivery's records (the lag histogram's, for the deliveries of the lag's sample, and the
 * count, added once per writer's run) use attributes made once per topic: nothing is made per event.
 */
public final class OpenTelemetryMetrics implements MetricsBinding, Traced {
    private static final Logger LOG = Logger.getLogger(OpenTelemetryMetrics.class.getName());
    /** The instrumentation scope: ssekit's own, whichever application runs it. */
    static final String SCOPE = "dev.ssekit";
    /** The topic, as the messaging semantic conventions name a destination. */
    static final AttributeKey<String> TOPIC = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("ssekit.delivery.outcome");
    static final AttributeKey<String> CUT_REASON = AttributeKey.stringKey("ssekit.cut.reason");
    static final AttributeKey<String> STORE = AttributeKey.stringKey("ssekit.store");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("ssekit.store.operation");
    /**
     * Seconds, for every duration: from a tenth of a millisecond (an in-memory append, a frame written
     * on the same machine) to the queue's longest delay (30 s). The SDK's default boundaries (0 to
     * 10,000) are meant for milliseconds and would put nearly every sample in one bucket.
     */
    static final List<Double> SECONDS_BUCKETS = List.of(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0);
    private static final double SECONDS_PER_NANO = 1e-9; // a multiply: a division costs several times more

    private final LongCounter published;
    private final LongCounter replayed;
    private final LongCounter cuts;
    private final DoubleHistogram lag;
    private final DoubleHistogram publishDuration;
    private final DoubleHistogram storeDuration;
    private final Meter meter;
    private final Map<Attributes, IntSupplier> subscribers = new ConcurrentHashMap<>();
    /**
     * Deliveries by topic and outcome, counted here and read at collection (an observable counter):
     * a synchronous counter's add was one of two instrument calls per delivery, the hot path of every
     * fan-out (bench run AC: the instrumentation cost about 10 % of (a)'s deliveries/s); a
     * {@code LongAdder} costs a fraction of it.
     */
    private final Map<Attributes, LongAdder> deliveries = new ConcurrentHashMap<>();
    /** By store, then operation. */
    private final Map<String, Map<String, Attributes>> storeCalls = new ConcurrentHashMap<>();
    private final List<AutoCloseable> observers = new CopyOnWriteArrayList<>();
    private final String source;
    private final Tracing tracing;

    /**
     * @param meter  where the instruments are made
     * @param source where the meter came from, for the start-up log
     */
    public OpenTelemetryMetrics(Meter meter, String source) {
        this(meter, source, Tracing.NONE);
    }

    private OpenTelemetryMetrics(Meter meter, String source, Tracing tracing) {
        this.meter = meter;
        this.source = source;
        this.tracing = tracing;
        published = meter.counterBuilder("ssekit.events.published").setUnit("{event}")
                .setDescription("Events published to the topic and stored").build();
        observers.add(meter.counterBuilder("ssekit.deliveries").setUnit("{delivery}")
                .setDescription("Events for one subscriber, by outcome: written to it, or dropped by the "
                        + "slow-consumer policy")
                .buildWithCallback(m -> deliveries.forEach((outcome, n) -> {
                    long sum = n.sum();
                    if (sum > 0) { // as a synchronous counter: a series from its first count on
                        m.record(sum, outcome);
                    }
                })));
        replayed = meter.counterBuilder("ssekit.events.replayed").setUnit("{event}")
                .setDescription("Events replayed to reconnecting subscribers").build();
        cuts = meter.counterBuilder("ssekit.cuts").setUnit("{connection}")
                .setDescription("Subscribers cut by the slow-consumer policy or the write timeout, by reason").build();
        lag = seconds("ssekit.delivery.lag",
                "From the publish this node accepted to its frame written to one subscriber");
        publishDuration = seconds("ssekit.publish.duration", "Time to store an event and queue it to every subscriber");
        storeDuration = seconds("ssekit.store.duration", "Duration of history store calls, by store and operation");
        gauge("ssekit.subscribers", "{subscriber}", "Connections subscribed to the topic now",
                m -> subscribers.forEach((topic, count) -> m.record(count.getAsInt(), topic)));
    }

    /** @return a histogram of durations in seconds, on {@link #SECONDS_BUCKETS} */
    private DoubleHistogram seconds(String name, String description) {
        return meter.histogramBuilder(name).setUnit("s").setDescription(description)
                .setExplicitBucketBoundariesAdvice(SECONDS_BUCKETS).build();
    }

    /** A gauge read at collection, as an up-down counter with a callback, stopped by {@link #close()}. */
    private void gauge(String name, String unit, String description, Consumer<ObservableLongMeasurement> read) {
        observers.add(meter.upDownCounterBuilder(name).setUnit(unit).setDescription(description)
                .buildWithCallback(read));
    }

    /** A gauge of one value, read at collection. */
    private void gauge(String name, String unit, String description, LongSupplier value) {
        gauge(name, unit, description, m -> m.record(value.getAsLong()));
    }

    /**
     * @return a binding to the application's OpenTelemetry when it has one, else {@link MetricsBinding#NONE};
     *         call through {@link Metrics#forApplication()}, which checks that the API is present
     */
    static MetricsBinding ifAvailable() {
        try {
            OpenTelemetry fromCdi = fromCdi();
            if (fromCdi != null) {
                return of(fromCdi, "OpenTelemetry (the application's bean)");
            }
            if (GlobalOpenTelemetry.isSet()) {
                return of(GlobalOpenTelemetry.get(), "OpenTelemetry (global)");
            }
            LOG.fine("ssekit: the OpenTelemetry API is present, with neither an OpenTelemetry bean nor a global "
                    + "instance; metrics are off");
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "ssekit: OpenTelemetry could not be reached; metrics are off", e);
        }
        return NONE;
    }

    /** @return metrics and traces through {@code otel} */
    private static OpenTelemetryMetrics of(OpenTelemetry otel, String source) {
        Tracing tracing = OpenTelemetryTracing.of(otel);
        return new OpenTelemetryMetrics(otel.getMeter(SCOPE), source + (tracing == Tracing.NONE ? "" : ", with traces"),
                tracing);
    }

    @Override
    public Tracing tracing() {
        return tracing;
    }

    /** @return the CDI container's {@code OpenTelemetry} (MicroProfile Telemetry), or null without one */
    private static OpenTelemetry fromCdi() {
        CDI<Object> cdi;
        try {
            cdi = CDI.current();
        } catch (IllegalStateException e) {
            return null; // no CDI container: a registry built in plain Java
        }
        Instance<OpenTelemetry> bean = cdi.select(OpenTelemetry.class);
        return bean.isResolvable() ? bean.get() : null;
    }

    @Override
    public TopicMetrics bind(String topic, IntSupplier count) {
        Attributes attributes = Attributes.of(TOPIC, topic);
        LongAdder written = deliveries.computeIfAbsent(attributes.toBuilder().put(OUTCOME, "written").build(),
                a -> new LongAdder());
        LongAdder dropped = deliveries.computeIfAbsent(attributes.toBuilder().put(OUTCOME, "dropped").build(),
                a -> new LongAdder());
        Attributes slow = attributes.toBuilder().put(CUT_REASON, "slow_consumer").build();
        Attributes timedOut = attributes.toBuilder().put(CUT_REASON, "write_timeout").build();
        subscribers.put(attributes, count);
        return new TopicMetrics() {
            @Override
            public void published(long nanos) {
                published.add(1, attributes);
                publishDuration.record(nanos * SECONDS_PER_NANO, attributes);
            }

            @Override
            public void delivered(long lagNanos) {
                if (lagNanos >= 0) {
                    lag.record(lagNanos * SECONDS_PER_NANO, attributes);
                }
                written.increment();
            }

            @Override
            public void delivered(long[] lagNanos, int from, int to) {
                // A writer's burst: its thread carries no trace, so the root context spares the SDK
                // a thread-local lookup per record (for its trace-based exemplar filter).
                Context root = Context.root();
                for (int i = from; i < to; i++) {
                    if (lagNanos[i] >= 0) {
                        lag.record(lagNanos[i] * SECONDS_PER_NANO, attributes, root);
                    }
                }
                written.add(to - from);
            }

            @Override
            public void delivered() {
                written.increment();
            }

            @Override
            public void dropped() {
                dropped.increment();
            }

            @Override
            public void cut(CloseReason reason) {
                cuts.add(1, reason == CloseReason.WRITE_TIMEOUT ? timedOut : slow);
            }

            @Override
            public void cut() {
                cuts.add(1, slow);
            }

            @Override
            public void replayed(int events) {
                replayed.add(events, attributes);
            }
        };
    }

    @Override
    public void bindRegistry(RegistryGauges gauges) {
        gauge("ssekit.clients", "{connection}", "Connections subscribed to at least one topic or matcher now",
                gauges::clients);
        gauge("ssekit.queued.events", "{event}", "Events waiting in the subscribers' queues now, replays excluded",
                gauges::queuedEvents);
        gauge("ssekit.queued.bytes", "By", "Bytes of the events waiting in the subscribers' queues now",
                gauges::queuedBytes);
        gauge("ssekit.writer.threads", "{thread}",
                "Writer threads running now, those held by clients that stopped reading included", gauges::writerThreads);
        gauge("ssekit.writer.threads.stalled", "{thread}", "Writer threads held now by a client that stopped reading",
                gauges::stalledWriters);
    }

    /** Called per append: the attributes are made once per store and operation, and looked up with no key made. */
    @Override
    public void storeCall(String store, String operation, long nanos) {
        Map<String, Attributes> byOperation = storeCalls.get(store);
        if (byOperation == null) {
            byOperation = storeCalls.computeIfAbsent(store, s -> new ConcurrentHashMap<>());
        }
        Attributes attributes = byOperation.get(operation);
        if (attributes == null) {
            attributes = byOperation.computeIfAbsent(operation, o -> Attributes.of(STORE, store, OPERATION, o));
        }
        storeDuration.record(nanos * SECONDS_PER_NANO, attributes);
    }

    /**
     * Stops the callbacks (the gauges', and the deliveries' counts); counters and histograms stay with
     * the meter, as OpenTelemetry has it.
     */
    @Override
    public void close() {
        subscribers.clear();
        for (AutoCloseable o : observers) {
            try {
                o.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "ssekit: could not stop a gauge's callback", e);
            }
        }
        observers.clear();
    }

    @Override
    public String toString() {
        return source;
    }
}
