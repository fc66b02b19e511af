package dev.ssekit.internal.metrics;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Spans through the OpenTelemetry tracing API: the application's {@code OpenTelemetry} (a
 * MicroProfile Telemetry server's bean, the embedded hub's own), never an SDK of its own. Names and
 * attributes follow the messaging semantic conventions where they apply (docs/operations.md,
 * "Traces"):
 *
 * Span names carry no topic (clients choose topics: one name per topic would be unbounded); the
 * topic is the {@code messaging.destination.name} attribute.
 *
 * <ul>
 *   <li>{@code publish} (kind producer): one per event published, a child of the caller's context;
 *       its children {@code store} (the batch's history store call, shared by the publishers that
 *       arrived together: {@code ssekit.batch.size}) and {@code fan-out} (the batch queued to every
 *       subscriber);</li>
 *   <li>{@code replay} (kind internal): one per subscription that sent {@code Last-Event-ID}, with
 *       the events it replays ({@code ssekit.replay.events}).</li>
 * </ul>
 *
 * <p>Stage times are {@link System#nanoTime()} readings taken by whichever thread stored the batch,
 * turned into epoch times against one reading of both clocks per span, taken when it starts (a
 * replay's, when it ends): the children sit inside their parent however the wall clock moves, and
 * the span agrees with its parent's clock (the SDK anchors each trace's clock when its root starts)
 * to within the wall clock's movement during one request.
 */
final class OpenTelemetryTracing implements Tracing {
    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> TOPIC = OpenTelemetryMetrics.TOPIC;
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BATCH = AttributeKey.longKey("ssekit.batch.size");
    static final AttributeKey<Long> REPLAYED = AttributeKey.longKey("ssekit.replay.events");
    static final AttributeKey<String> AFTER = AttributeKey.stringKey("ssekit.replay.after");
    static final AttributeKey<String> STARTED_AFTER = AttributeKey.stringKey("ssekit.replay.started_after");
    /** Ids longer than this are cut in attributes: a client chooses the id a replay names. */
    private static final int MAX_ID = 256;

    private final Tracer tracer;

    private OpenTelemetryTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** @return spans through {@code otel}'s tracer, or {@link Tracing#NONE} when that is the no-op one */
    static Tracing of(OpenTelemetry otel) {
        Tracer tracer = otel.getTracer(OpenTelemetryMetrics.SCOPE);
        // A server without a tracer SDK, or the embedded hub with no exporter: record nothing, cost nothing.
        return tracer == TracerProvider.noop().get(OpenTelemetryMetrics.SCOPE) ? NONE : new OpenTelemetryTracing(tracer);
    }

    /** Turns {@link System#nanoTime()} readings into epoch nanoseconds, against one reading of both clocks. */
    private record Anchor(long nanoTime, long epochNanos) {
        static Anchor now() {
            long nanoTime = System.nanoTime();
            Instant now = Instant.now();
            return new Anchor(nanoTime, TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano());
        }

        long epochNanos(long at) {
            return epochNanos + (at - nanoTime);
        }
    }

    /** The topics as one attribute value: the first, which is what the metrics count under too. */
    private static String topicOf(Set<String> topics) {
        return topics.isEmpty() ? "" : topics.iterator().next();
    }

    private static String cut(String id) {
        return id.length() <= MAX_ID ? id : id.substring(0, MAX_ID);
    }

    @Override
    public PublishSpan publish(Set<String> topics) {
        Context parent = Context.current();
        Anchor clock = Anchor.now();
        Span span = tracer.spanBuilder("publish").setParent(parent).setSpanKind(SpanKind.PRODUCER)
                .setStartTimestamp(clock.epochNanos(clock.nanoTime()), TimeUnit.NANOSECONDS)
                .setAttribute(SYSTEM, "ssekit").setAttribute(OPERATION, "send")
                .setAttribute(TOPIC, topicOf(topics)).startSpan();
        return (id, failure, stages) -> {
            Context context = parent.with(span);
            if (stages != null && stages.storeStart != 0) {
                child(clock, context, "store", stages.storeStart, stages.storeEnd, stages.events,
                        stages.fanOutStart == 0 ? failure : null);
            }
            if (stages != null && stages.fanOutStart != 0) {
                child(clock, context, "fan-out", stages.fanOutStart, stages.fanOutEnd, stages.events,
                        stages.fanOutEnd == 0 ? failure : null);
            }
            if (id != null) {
                span.setAttribute(MESSAGE_ID, cut(id));
            }
            if (failure != null) {
                span.recordException(failure);
                span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
            }
            span.end(clock.epochNanos(System.nanoTime()), TimeUnit.NANOSECONDS);
        };
    }

    private void child(Anchor clock, Context parent, String name, long start, long end, int events,
                       Throwable failure) {
        Span s = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(clock.epochNanos(start), TimeUnit.NANOSECONDS)
                .setAttribute(BATCH, (long) events).startSpan();
        if (failure != null) {
            s.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
        s.end(clock.epochNanos(end == 0 ? System.nanoTime() : end), TimeUnit.NANOSECONDS);
    }

    @Override
    public void replay(Set<String> topics, String afterId, long startNanos, long endNanos, int replayed,
                       String startedAfter, Throwable failure) {
        Anchor clock = Anchor.now();
        Span span = tracer.spanBuilder("replay").setParent(Context.current())
                .setSpanKind(SpanKind.INTERNAL).setStartTimestamp(clock.epochNanos(startNanos), TimeUnit.NANOSECONDS)
                .setAttribute(SYSTEM, "ssekit").setAttribute(TOPIC, topicOf(topics))
                .setAttribute(AFTER, cut(afterId)).setAttribute(REPLAYED, (long) replayed).startSpan();
        if (startedAfter != null) {
            span.setAttribute(STARTED_AFTER, cut(startedAfter));
        }
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        }
        span.end(clock.epochNanos(endNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "OpenTelemetry traces";
    }
}
