package dev.ssekit.internal.cdi;

import dev.ssekit.Broadcast;
import dev.ssekit.Event;
import dev.ssekit.Topic;
import dev.ssekit.Topics;
import dev.ssekit.internal.Json;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** Broadcasts the results of {@link Broadcast} methods on the application's registry. */
@Broadcast
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_AFTER)
public class BroadcastInterceptor {
    @Inject
    @Topic
    Topics topics;

    /**
     * @param call the intercepted call
     * @return the method's result, unchanged
     * @throws Exception what the method throws; nothing is broadcast then
     */
    @AroundInvoke
    public Object broadcast(InvocationContext call) throws Exception {
        Object result = call.proceed();
        Broadcast spec = Bindings.markerOf(call.getMethod(), Broadcast.class);
        Object value = result instanceof Response r ? r.getEntity() : result;
        if (value == null) {
            return result;
        }
        String data = value instanceof String s ? s : Json.jsonb().toJson(value);
        Event event = Event.of(data);
        if (!spec.type().isEmpty()) {
            event = event.withType(spec.type());
        }
        topics.publish(List.of(Bindings.topicOf(spec.topic(), call.getMethod(), call.getParameters())), event);
        return result;
    }
}
