package dev.ssekit.bench;

import dev.ssekit.internal.metrics.Metrics;
import dev.ssekit.spi.MetricsBinding;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bench server's OpenTelemetry when it runs with {@code -Dbench.telemetry=true} (bench/run
 * --telemetry): metrics read as the embedded hub's {@code /metrics} reads them (a Prometheus reader,
 * scraped by the driver at {@code GET /admin/metrics}) and every span recorded and batched to an
 * exporter that counts and drops them, so that a run measures ssekit with its whole instrumentation
 * on. Set as the global OpenTelemetry before the bench's hub is built, which binds to it.
 */
public final class BenchTelemetry implements OpenTelemetry {
    private static volatile BenchTelemetry current;

    private final PrometheusMetricReader reader = PrometheusMetricReader.builder()
            .setOtelScopeLabelsEnabled(false).setTargetInfoMetricEnabled(false).build();
    private final SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();
    private final AtomicLong spans = new AtomicLong();
    private final SdkTracerProvider tracers = SdkTracerProvider.builder()
            .addSpanProcessor(BatchSpanProcessor.builder(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> batch) {
                    spans.addAndGet(batch.size());
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            }).build()).build();

    private BenchTelemetry() {
    }

    /** Installs the instrumentation if {@code bench.telemetry} is true; call before any hub is built. */
    static void installIfAsked() {
        if (Boolean.getBoolean("bench.telemetry")) {
            install();
            System.err.println("bench server: OpenTelemetry metrics and traces recorded (bench.telemetry)");
        }
    }

    /** Sets the instrumentation as the global OpenTelemetry, once per JVM; call before any hub is built. */
    public static void install() {
        current = new BenchTelemetry();
        GlobalOpenTelemetry.set(current);
    }

    /**
     * Installs the instrumentation unless it already is, and binds ssekit's metrics to it, as a hub does.
     *
     * @return the binding; never {@link MetricsBinding#NONE}
     * @throws IllegalStateException if ssekit finds no OpenTelemetry to bind to
     */
    public static synchronized MetricsBinding installAndBind() {
        if (current == null) {
            install();
        }
        MetricsBinding metrics = Metrics.forApplication();
        if (metrics == MetricsBinding.NONE) {
            throw new IllegalStateException("ssekit found no OpenTelemetry to bind to");
        }
        return metrics;
    }

    /** @return every metric in the Prometheus text format, and the spans exported so far; null when not installed */
    public static String scrape() throws IOException {
        BenchTelemetry t = current;
        if (t == null) {
            return null;
        }
        t.tracers.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, t.reader.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8) + "# bench spans exported " + t.spans.get() + "\n";
    }

    @Override
    public MeterProvider getMeterProvider() {
        return meters;
    }

    @Override
    public TracerProvider getTracerProvider() {
        return tracers;
    }

    @Override
    public ContextPropagators getPropagators() {
        return ContextPropagators.create(W3CTraceContextPropagator.getInstance());
    }
}
