package dev.ssekit.internal.cdi;

import dev.ssekit.Conn;
import dev.ssekit.Hub;
import dev.ssekit.HubClosedException;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.internal.HubAccess;
import dev.ssekit.internal.TextResponses;
import dev.ssekit.internal.wire.ResponseHeaders;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.SseEventSink;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Subscribes the sink of {@link Subscribe} methods on the application's registry, replaying after the
 * request's {@code Last-Event-ID}.
 */
@Subscribe
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_AFTER)
public class SubscribeInterceptor {
    private static final Logger LOG = Logger.getLogger(SubscribeInterceptor.class.getName());
    /** The methods whose missing feature was logged: once each, not per request. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    @Inject Hub hub;

    /**
     * @param call the intercepted call
     * @return null: the methods are void
     * @throws Exception what the method throws; nothing is subscribed then
     */
    @AroundInvoke
    public Object subscribe(InvocationContext call) throws Exception {
        String topicOf = Bindings.topicOf(Bindings.markerOf(call.getMethod(), Subscribe.class).topic(), call.getMethod(),
                call.getParameters());
        try {
            // Before the method runs and anything is written: the client gets a clean 503.
            HubAccess.checkRoom(hub, List.of(topicOf));
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e);
        }
        Method method = call.getMethod();
        // Read before the method runs: subscribing (here or in the method) clears the request's holder.
        String lastEventId = lastEventId(method, call.getParameters());
        Object result = call.proceed();
        Object[] args = call.getParameters();
        SseEventSink sink = (SseEventSink) args[Bindings.indexOfType(method, SseEventSink.class)];
        String topic = Bindings.topicOf(Bindings.markerOf(method, Subscribe.class).topic(), method, args);
        Conn conn = hub.open(sink);
        try {
            hub.subscribe(conn, List.of(topic), lastEventId);
        } catch (HubClosedException e) {
            conn.close();
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e); // another client took the last place since checkRoom
        }
        return result;
    }

    /**
     * The request's {@code Last-Event-ID}: the method's {@code @HeaderParam("Last-Event-ID")} parameter if it
     * declares one, else what {@code SseKitFeature}'s request filter read from the request.
     *
     * @return the id; null for a live-only subscription
     * @throws WebApplicationException 500 when neither is there: without the filter the header cannot be
     *         read, and subscribing anyway would skip the client's replay without a word
     */
    static String lastEventId(Method method, Object[] args) {
        int declared = Bindings.lastEventIdIndex(method);
        String id;
        if (declared >= 0) {
            id = (String) args[declared];
        } else if (ResponseHeaders.active()) {
            id = ResponseHeaders.lastEventId();
        } else {
            String problem = "@Subscribe on " + method.getDeclaringClass().getName() + "." + method.getName()
                    + " cannot read the request's Last-Event-ID, so it could not replay what the client missed: "
                    + "register dev.ssekit.SseKitFeature in the JAX-RS Application";
            if (WARNED.add(method.getDeclaringClass().getName() + "." + method.getName())) {
                LOG.severe("ssekit: " + problem);
            }
            throw new WebApplicationException(problem, Response.status(Response.Status.INTERNAL_SERVER_ERROR)
                    .type(TextResponses.TYPE).entity(problem + "\n").build());
        }
        return id == null || id.isEmpty() ? null : id;
    }
}
