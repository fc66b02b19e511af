package dev.ssekit.app.embedded;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The embedded hub's own OpenTelemetry: a metrics SDK read by Prometheus on {@code GET /metrics},
 * given to the library as the application's {@code OpenTelemetry} bean, as a MicroProfile Telemetry
 * server gives its own. One per hub: it starts and ends with it, so that hubs started one after
 * another in a JVM never share counts.
 *
 * <p>Traces only when the launcher was given a span exporter ({@link EmbeddedHub#start(String, int,
 * SpanExporter)}): a tracer SDK sending to it, and W3C trace context read from requests
 * ({@link TraceContext}). Without one the tracer is the no-op one, which the library recognises and
 * records nothing through: no exporter is configured from the environment, since the SDK's
 * autoconfiguration module is not on the hub's class path.
 */
final class HubTelemetry implements OpenTelemetry, AutoCloseable {
    /** The text format's media type, version 0.0.4. */
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusMetricReader reader = PrometheusMetricReader.builder()
            .setOtelScopeLabelsEnabled(false).setTargetInfoMetricEnabled(false).build();
    private final SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final SdkTracerProvider tracers; // null: no exporter, no traces

    /** @param spans where spans go, or null for no traces */
    HubTelemetry(SpanExporter spans) {
        tracers = spans == null ? null
                : SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(spans).build()).build();
    }

    @Override
    public MeterProvider getMeterProvider() {
        return meters;
    }

    @Override
    public TracerProvider getTracerProvider() {
        return tracers == null ? TracerProvider.noop() : tracers;
    }

    @Override
    public ContextPropagators getPropagators() {
        return tracers == null ? ContextPropagators.noop()
                : ContextPropagators.create(W3CTraceContextPropagator.getInstance());
    }

    /** @return true when spans are recorded and exported */
    boolean tracing() {
        return tracers != null;
    }

    /** Exports the spans ended so far; for tests, which read them back. */
    void flushSpans() {
        if (tracers != null) {
            tracers.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Writes every metric now, in the Prometheus text format, with OpenTelemetry's names escaped to underscores. */
    void scrape(OutputStream out) throws IOException {
        writer.write(out, reader.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    @Override
    public void close() {
        meters.close();
        if (tracers != null) {
            tracers.close(); // exports what is left
        }
    }
}
