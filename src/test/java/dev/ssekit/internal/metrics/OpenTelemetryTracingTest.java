package dev.ssekit.internal.metrics;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Where the application's tracer is the no-op one, the engine gets {@link Tracing#NONE} and records nothing. */
class OpenTelemetryTracingTest {
    @Test
    void of_noopTracer_isNone() {
        assertSame(Tracing.NONE, OpenTelemetryTracing.of(OpenTelemetry.noop()));
        OpenTelemetry metricsOnly = OpenTelemetry.propagating(ContextPropagators.noop());
        assertSame(TracerProvider.noop(), metricsOnly.getTracerProvider());
        assertSame(Tracing.NONE, OpenTelemetryTracing.of(metricsOnly));
    }

    @Test
    void of_sdkTracer_records() {
        try (SdkTracerProvider tracers = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(InMemorySpanExporter.create())).build()) {
            OpenTelemetry sdk = OpenTelemetrySdk.builder().setTracerProvider(tracers).build();
            assertNotSame(Tracing.NONE, OpenTelemetryTracing.of(sdk));
        }
    }
}
