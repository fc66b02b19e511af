package dev.ssekit.internal.metrics;

/**
 * A metrics binding that also brings the application's tracer: ssekit's own OpenTelemetry binding.
 * A binding of the application's own ({@code Hub.Builder.metrics}) brings none, and its registry
 * records no spans.
 */
public interface Traced {
    /** @return where the registry's spans go */
    Tracing tracing();
}
