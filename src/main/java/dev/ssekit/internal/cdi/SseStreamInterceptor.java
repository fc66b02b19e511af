package dev.ssekit.internal.cdi;

import dev.ssekit.Conn;
import dev.ssekit.HubClosedException;
import dev.ssekit.SseStream;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.Topic;
import dev.ssekit.Topics;
import dev.ssekit.internal.TextResponses;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.lang.reflect.Method;
import java.util.List;

/** Subscribes the sink of {@link SseStream} methods on the application's registry. */
@SseStream
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_AFTER)
public class SseStreamInterceptor {

    @Inject
    @Topic
    Topics topics;

    /**
     * @param call the intercepted call
     * @return null: the methods are void
     * @throws Exception what the method throws; nothing is subscribed then
     */
    @AroundInvoke
    public Object subscribe(InvocationContext call) throws Exception {
        String topicOf = Bindings.topicOf(Bindings.markerOf(call.getMethod(), SseStream.class).topic(), call.getMethod(),
                call.getParameters());
        try {
            // Before the method runs and anything is written: the client gets a clean 503.
            topics.checkRoom(List.of(topicOf));
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e);
        }
        Object result = call.proceed();
        Method method = call.getMethod();
        Object[] args = call.getParameters();
        SseEventSink sink = (SseEventSink) args[Bindings.indexOfType(method, SseEventSink.class)];
        Sse sse = (Sse) args[Bindings.indexOfType(method, Sse.class)];
        int last = Bindings.lastEventIdIndex(method);
        String lastEventId = last < 0 ? null : (String) args[last];
        String topic = Bindings.topicOf(Bindings.markerOf(method, SseStream.class).topic(), method, args);
        Conn conn = topics.open(sink, sse);
        try {
            topics.subscribe(conn, List.of(topic), lastEventId == null || lastEventId.isEmpty() ? null : lastEventId);
        } catch (HubClosedException e) {
            conn.close();
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e); // another client took the last place since checkRoom
        }
        return result;
    }
}
