package dev.ssekit.bench.jmh;

import dev.ssekit.bench.BenchTelemetry;
import dev.ssekit.internal.metrics.Traced;
import dev.ssekit.internal.metrics.Tracing;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a publish's spans cost the publishing thread (issue 23's 5 %): {@link Tracing#publish} and
 * its end with the batch's store and fan-out stages, through the bench's OpenTelemetry SDK (every
 * span sampled, batched to an exporter that drops them), as the instrumented hub makes them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PublishSpanBench {
    private static final Set<String> TOPICS = Set.of("t");

    private Tracing tracing;
    private final Tracing.Stages stages = new Tracing.Stages();

    @Setup
    public void setUp() {
        tracing = ((Traced) BenchTelemetry.installAndBind()).tracing();
        long now = System.nanoTime();
        stages.storeStart = now;
        stages.storeEnd = now + 20_000;
        stages.fanOutStart = now + 21_000;
        stages.fanOutEnd = now + 40_000;
        stages.events = 4;
    }

    @Benchmark
    public void publishSpans() {
        tracing.publish(TOPICS).end("urn:uuid:0000", null, stages);
    }
}
