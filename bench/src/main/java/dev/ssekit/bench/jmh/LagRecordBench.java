package dev.ssekit.bench.jmh;

import dev.ssekit.bench.BenchTelemetry;
import dev.ssekit.internal.metrics.DeliveryRecords;
import dev.ssekit.internal.metrics.TopicMeter;
import dev.ssekit.spi.MetricsBinding;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * What the instrumentation adds to one delivery (issue 23's 5 %): a topic's
 * {@link TopicMeter#delivered} with ssekit's OpenTelemetry binding (the lag histogram's record, the
 * deliveries' count) against the same with no binding, made by two writer threads on one topic, as
 * the writers of a two-core machine make them. Each delivery comes with {@code work} tokens of other
 * work ({@link Blackhole#consumeCPU}, some 800 ns here): a delivery's share of the CPU on the real
 * path is 1.1 to 1.4 us with its socket write (bench run AF), so the writers meet on the histogram
 * about as often as they do there. {@code held}: the records go through a writer's
 * {@link DeliveryRecords}, passed on in bursts, as ssekit's writer threads make them; {@code direct}:
 * each record at once, as before it and as any other thread makes them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LagRecordBench {
    private static final long LAG_NANOS = 2_500_000;

    /** Tokens of other work per delivery. */
    @Param({"400"})
    public long work;

    private TopicMeter instrumented;
    private TopicMeter plain;

    /** A writer thread's own records. */
    @State(Scope.Thread)
    public static class Writer {
        final DeliveryRecords records = new DeliveryRecords();

        @TearDown(Level.Iteration)
        public void flush() {
            records.flush();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        instrumented = new TopicMeter(BenchTelemetry.installAndBind().bind("t", () -> 0));
        plain = new TopicMeter(MetricsBinding.TopicMetrics.NONE);
    }

    @Benchmark
    @Threads(2)
    public void noBinding() {
        Blackhole.consumeCPU(work);
        plain.delivered(LAG_NANOS);
    }

    @Benchmark
    @Threads(2)
    public void openTelemetryDirect() {
        Blackhole.consumeCPU(work);
        instrumented.delivered(LAG_NANOS);
    }

    @Benchmark
    @Threads(2)
    public void openTelemetryHeld(Writer writer) {
        Blackhole.consumeCPU(work);
        writer.records.add(instrumented, LAG_NANOS);
    }
}
