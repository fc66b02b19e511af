package dev.ssekit.app.embedded;

import io.opentelemetry.api.trace.Span;

import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;

/**
 * Marks the phases of a request to the hub on its server span ({@link TraceContext}) as span events,
 * from Jersey's own request events: {@code request filtered} once the hub's request filters passed
 * (for a publish, {@code PublishFilter}'s token check), {@code resource method started} once the form
 * was read and parsed into the method's parameters. What follows until the {@code publish} child
 * starts is the update's field checks and the token's grant. The hub app itself stays on the public
 * API, which has no tracing calls; this listener runs only where the hub records traces.
 */
final class RequestPhases implements ApplicationEventListener {
    private static final RequestEventListener PHASES = event -> {
        if (event.getType() == RequestEvent.Type.REQUEST_FILTERED) {
            Span.current().addEvent("request filtered");
        } else if (event.getType() == RequestEvent.Type.RESOURCE_METHOD_START) {
            Span.current().addEvent("resource method started");
        }
    };

    @Override
    public void onEvent(ApplicationEvent event) {
    }

    @Override
    public RequestEventListener onRequest(RequestEvent event) {
        // Only requests the server span covers; the span of any other is the invalid one, which ignores events.
        return Span.current().getSpanContext().isValid() ? PHASES : null;
    }
}
