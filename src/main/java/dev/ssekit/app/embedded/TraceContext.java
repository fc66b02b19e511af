package dev.ssekit.app.embedded;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.util.ArrayList;
import java.util.List;

/**
 * The embedded hub's server span, as a MicroProfile Telemetry server makes one for each request of a
 * WAR: for each request to the hub's path, a span of kind server joined to the request's W3C
 * {@code traceparent} (and {@code tracestate}), current on the thread while the hub app answers, so
 * that the library's {@code publish} and {@code replay} spans are its children. For a subscription it
 * covers the request up to the start of the stream, not the stream's life. Installed only when the hub
 * records traces ({@link HubTelemetry#tracing()}); it adds nothing to a response.
 */
final class TraceContext extends FrontHandler {
    /** The hub's path, as the Mercure protocol names it. */
    static final String HUB_PATH = "/.well-known/mercure";
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<Request> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Request request) {
            List<String> names = new ArrayList<>();
            request.getHeaderNames().forEach(names::add);
            return names;
        }

        @Override
        public String get(Request request, String key) {
            return request == null ? null : request.getHeader(key);
        }
    };

    private final OpenTelemetry otel;
    private final Tracer tracer;

    private TraceContext(HttpHandler next, OpenTelemetry otel) {
        super(next);
        this.otel = otel;
        this.tracer = otel.getTracer("dev.ssekit.hub");
    }

    static void install(ServerConfiguration config, OpenTelemetry otel) {
        FrontHandler.install(config, next -> new TraceContext(next, otel));
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        if (!HUB_PATH.equals(request.getRequestURI())) {
            next.service(request, response);
            return;
        }
        Context parent = otel.getPropagators().getTextMapPropagator().extract(Context.root(), request, HEADERS);
        String method = request.getMethod().getMethodString();
        Span span = tracer.spanBuilder(method + " " + HUB_PATH).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, method).setAttribute(ROUTE, HUB_PATH).startSpan();
        try (Scope ignored = parent.with(span).makeCurrent()) {
            next.service(request, response);
        } catch (Exception | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            int status = response.getStatus();
            span.setAttribute(STATUS, (long) status);
            if (status >= 500) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end();
        }
    }
}
