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
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Broadcasts the results of {@link Broadcast} methods on the application's registry. */
@Broadcast
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_AFTER)
public class BroadcastInterceptor {
    static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)}");

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
        Broadcast spec = spec(call.getMethod());
        Object value = result instanceof Response r ? r.getEntity() : result;
        if (value == null) {
            return result;
        }
        String data = value instanceof String s ? s : Json.jsonb().toJson(value);
        Event event = Event.of(data);
        if (!spec.type().isEmpty()) {
            event = event.withType(spec.type());
        }
        topics.publish(List.of(topicOf(spec.topic(), call.getMethod(), call.getParameters())), event);
        return result;
    }

    static Broadcast spec(Method method) {
        Broadcast spec = method.getAnnotation(Broadcast.class);
        return spec != null ? spec : method.getDeclaringClass().getAnnotation(Broadcast.class);
    }

    /** Fills {@code {name}} parts from the {@code @PathParam("name")} arguments. */
    static String topicOf(String template, Method method, Object[] args) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int index = pathParamIndex(method, m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(args[index])));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** @return the index of the parameter annotated {@code @PathParam(name)}, or -1 */
    static int pathParamIndex(Method method, String name) {
        Annotation[][] all = method.getParameterAnnotations();
        for (int i = 0; i < all.length; i++) {
            for (Annotation a : all[i]) {
                if (a instanceof PathParam p && p.value().equals(name)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
