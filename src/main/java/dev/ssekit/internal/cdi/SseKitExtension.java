package dev.ssekit.internal.cdi;

import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.internal.config.SseKitConfig;
import dev.ssekit.internal.health.HealthChecks;

import jakarta.enterprise.event.Observes;

import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.AnnotatedType;
import jakarta.enterprise.inject.spi.DeploymentException;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.WithAnnotations;
import jakarta.interceptor.Interceptor;
import jakarta.ws.rs.sse.SseEventSink;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * Checks {@link Publish} and {@link Subscribe} methods when the application deploys, so that a wrong one fails the
 * deployment with a message naming the class, the method and the fix, not the first request; checks the settings
 * ({@link SseKitConfig}) the same way.
 */
public class SseKitExtension implements Extension {
    private final List<String> problems = new ArrayList<>();

    /** With MicroProfile Health on the server, the history store's readiness and the threads' liveness. */
    void addHealthChecks(@Observes BeforeBeanDiscovery event) {
        if (HealthChecks.available()) {
            HealthChecks.addTo(event);
        }
    }

    <T> void checkBroadcasts(@Observes @WithAnnotations(Publish.class) ProcessAnnotatedType<T> event) {
        checkMarked(event.getAnnotatedType(), Publish.class, Publish::topic, (method, where) -> {
            if (method.getReturnType() == void.class) {
                problems.add("@Publish on " + where + " returns void, so there is nothing to broadcast: "
                        + "return the value to send");
            }
        });
    }

    <T> void checkStreams(@Observes @WithAnnotations(Subscribe.class) ProcessAnnotatedType<T> event) {
        checkMarked(event.getAnnotatedType(), Subscribe.class, Subscribe::topic, (method, where) -> {
            if (method.getReturnType() != void.class) {
                problems.add("@Subscribe on " + where + " must return void: the stream is the response");
            }
            if (Bindings.indexOfType(method, SseEventSink.class) < 0) {
                problems.add("@Subscribe on " + where + " needs the parameter @Context SseEventSink");
            }
        });
    }

    /**
     * Checks every method the annotation marks (on the method, or on its class for the class's own
     * methods): a topic, known {@code {variables}}, and the shape {@code shape} asks for.
     */
    private <T, A extends Annotation> void checkMarked(AnnotatedType<T> type, Class<A> marker,
                                                       Function<A, String> topicOf, BiConsumer<Method, String> shape) {
        if (type.isAnnotationPresent(Interceptor.class)) {
            return; // the binding on an interceptor (ours) marks no endpoint
        }
        String name = "@" + marker.getSimpleName();
        boolean onClass = type.isAnnotationPresent(marker);
        for (AnnotatedMethod<? super T> annotated : type.getMethods()) {
            Method method = annotated.getJavaMember();
            boolean marked = annotated.isAnnotationPresent(marker);
            if (!marked && !(onClass && method.getDeclaringClass() == type.getJavaClass())) {
                continue;
            }
            String topic = topicOf.apply(marked ? annotated.getAnnotation(marker) : type.getAnnotation(marker));
            String where = type.getJavaClass().getName() + "." + method.getName();
            if (topic.isEmpty()) {
                problems.add(name + " on " + where + " has no topic: set " + name + "(topic = \"...\")");
            }
            shape.accept(method, where);
            Matcher m = Bindings.VARIABLE.matcher(topic);
            while (m.find()) {
                if (Bindings.pathParamIndex(method, m.group(1)) < 0) {
                    problems.add(name + "(topic = \"" + topic + "\") on " + where + " uses {" + m.group(1)
                            + "}, but no parameter is annotated @PathParam(\"" + m.group(1)
                            + "\"): add one, or fix the topic");
                }
            }
        }
    }

    void report(@Observes jakarta.enterprise.inject.spi.AfterBeanDiscovery event) {
        for (String problem : problems) {
            event.addDefinitionError(new DeploymentException(problem));
        }
    }

    /** A bad setting fails the deployment, naming key and value, rather than the first subscriber. */
    void checkSettings(@Observes AfterDeploymentValidation event) {
        try {
            SseKitConfig.current();
        } catch (IllegalArgumentException e) {
            event.addDeploymentProblem(new DeploymentException("ssekit: " + e.getMessage(), e));
        }
    }
}
