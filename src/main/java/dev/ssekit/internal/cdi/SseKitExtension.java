package dev.ssekit.internal.cdi;

import dev.ssekit.Broadcast;
import dev.ssekit.SseStream;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Checks {@link Broadcast} and {@link SseStream} methods when the application deploys, so that a wrong one fails the
 * deployment with a message naming the class, the method and the fix, not the first request.
 */
public class SseKitExtension implements Extension {
    private final List<String> problems = new ArrayList<>();

    <T> void check(@Observes @WithAnnotations(Broadcast.class) ProcessAnnotatedType<T> event) {
        AnnotatedType<T> type = event.getAnnotatedType();
        if (type.isAnnotationPresent(jakarta.interceptor.Interceptor.class)) {
            return; // the binding on an interceptor (ours) is not a broadcast
        }
        boolean onClass = type.isAnnotationPresent(Broadcast.class);
        for (AnnotatedMethod<? super T> annotated : type.getMethods()) {
            Method method = annotated.getJavaMember();
            if (!annotated.isAnnotationPresent(Broadcast.class)
                    && !(onClass && method.getDeclaringClass() == type.getJavaClass())) {
                continue;
            }
            Broadcast spec = annotated.isAnnotationPresent(Broadcast.class)
                    ? annotated.getAnnotation(Broadcast.class) : type.getAnnotation(Broadcast.class);
            String where = type.getJavaClass().getName() + "." + method.getName();
            if (spec.topic().isEmpty()) {
                problems.add("@Broadcast on " + where + " has no topic: set @Broadcast(topic = \"...\")");
            }
            if (method.getReturnType() == void.class) {
                problems.add("@Broadcast on " + where + " returns void, so there is nothing to broadcast: "
                        + "return the value to send");
            }
            checkVariables("@Broadcast(topic = \"" + spec.topic() + "\") on " + where, spec.topic(), method);
        }
    }

    <T> void checkStreams(@Observes @WithAnnotations(SseStream.class) ProcessAnnotatedType<T> event) {
        AnnotatedType<T> type = event.getAnnotatedType();
        if (type.isAnnotationPresent(jakarta.interceptor.Interceptor.class)) {
            return;
        }
        boolean onClass = type.isAnnotationPresent(SseStream.class);
        for (AnnotatedMethod<? super T> annotated : type.getMethods()) {
            Method method = annotated.getJavaMember();
            if (!annotated.isAnnotationPresent(SseStream.class)
                    && !(onClass && method.getDeclaringClass() == type.getJavaClass())) {
                continue;
            }
            SseStream spec = annotated.isAnnotationPresent(SseStream.class)
                    ? annotated.getAnnotation(SseStream.class) : type.getAnnotation(SseStream.class);
            String where = type.getJavaClass().getName() + "." + method.getName();
            if (spec.topic().isEmpty()) {
                problems.add("@SseStream on " + where + " has no topic: set @SseStream(topic = \"...\")");
            }
            if (method.getReturnType() != void.class) {
                problems.add("@SseStream on " + where + " must return void: the stream is the response");
            }
            if (SseStreamInterceptor.indexOfType(method, jakarta.ws.rs.sse.SseEventSink.class) < 0
                    || SseStreamInterceptor.indexOfType(method, jakarta.ws.rs.sse.Sse.class) < 0) {
                problems.add("@SseStream on " + where + " needs the parameters @Context SseEventSink and @Context Sse");
            }
            checkVariables("@SseStream(topic = \"" + spec.topic() + "\") on " + where, spec.topic(), method);
        }
    }

    private void checkVariables(String what, String topic, Method method) {
        Matcher m = BroadcastInterceptor.VARIABLE.matcher(topic);
        while (m.find()) {
            if (BroadcastInterceptor.pathParamIndex(method, m.group(1)) < 0) {
                problems.add(what + " uses {" + m.group(1) + "}, but no parameter is annotated @PathParam(\""
                        + m.group(1) + "\"): add one, or fix the topic");
            }
        }
    }

    void report(@Observes jakarta.enterprise.inject.spi.AfterBeanDiscovery event) {
        for (String problem : problems) {
            event.addDefinitionError(new DeploymentException(problem));
        }
    }
}
