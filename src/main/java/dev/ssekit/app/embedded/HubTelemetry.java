package dev.ssekit.app.embedded;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The embedded hub's own OpenTelemetry: a metrics SDK read by Prometheus on {@code GET /metrics},
 * given to the library as the application's {@code OpenTelemetry} bean, as a MicroProfile Telemetry
 * server gives its own. Metrics only: no tracer, no propagation. One per hub: it starts and ends
 * with it, so that hubs started one after another in a JVM never share counts.
 */
final class HubTelemetry implements OpenTelemetry, AutoCloseable {
    /** The text format's media type, version 0.0.4. */
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusMetricReader reader = PrometheusMetricReader.builder()
            .setOtelScopeLabelsEnabled(false).setTargetInfoMetricEnabled(false).build();
    private final SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    @Override
    public MeterProvider getMeterProvider() {
        return meters;
    }

    @Override
    public TracerProvider getTracerProvider() {
        return TracerProvider.noop();
    }

    @Override
    public ContextPropagators getPropagators() {
        return ContextPropagators.noop();
    }

    /** Writes every metric now, in the Prometheus text format, with OpenTelemetry's names escaped to underscores. */
    void scrape(OutputStream out) throws IOException {
        writer.write(out, reader.collect(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    @Override
    public void close() {
        meters.close();
    }
}
