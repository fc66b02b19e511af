package dev.ssekit.internal.cdi;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.cdi.Publish;
import dev.ssekit.internal.Json;
import dev.ssekit.internal.wire.ResponseHeaders;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * Broadcasts the results of {@link Publish} methods on the application's registry, and records the
 * event's id for the {@code SseKit-Event-ID} response header.
 */
@Publish
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_AFTER)
public class PublishInterceptor {
    @Inject Hub hub;

    /**
     * @param call the intercepted call
     * @return the method's result, unchanged
     * @throws Exception what the method throws; nothing is broadcast then
     */
    @AroundInvoke
    public Object broadcast(InvocationContext call) throws Exception {
        Object result = call.proceed();
        Object value = valueToBroadcast(result);
        if (value == null) {
            return result;
        }
        Publish spec = Bindings.markerOf(call.getMethod(), Publish.class);
        String data = value instanceof String s ? s : Json.jsonb().toJson(value);
        Event event = Event.of(data);
        if (!spec.type().isEmpty()) {
            event = event.withType(spec.type());
        }
        String id = hub.publish(List.of(Bindings.topicOf(spec.topic(), call.getMethod(), call.getParameters())),
                event).id();
        // The response filter answers it as SseKit-Event-ID, so that the client knows the event it caused.
        ResponseHeaders.recordEventId(id);
        return result;
    }

    /**
     * @param result what the method returned
     * @return what to broadcast: the result, or a {@code Response}'s entity when its status is 2xx;
     *         null for nothing. The entity of any other status describes a failure (a 404's message,
     *         a 500's error), not a change subscribers should hear about.
     */
    static Object valueToBroadcast(Object result) {
        if (result instanceof Response r) {
            return r.getStatusInfo().getFamily() == Response.Status.Family.SUCCESSFUL ? r.getEntity() : null;
        }
        return result;
    }
}
