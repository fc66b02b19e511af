package dev.ssekit.internal.cdi;

import dev.ssekit.cdi.Publish;
import dev.ssekit.cdi.Subscribe;
import dev.ssekit.internal.StopBudget;
import dev.ssekit.internal.config.SseKitConfig;
import dev.ssekit.internal.health.HealthChecks;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.BeforeShutdown;
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
import java.util.function.LongSupplier;
import java.util.regex.Matcher;

/**
 * Checks {@link Publish} and {@link Subscribe} methods when the application deploys, so that a wrong one fails the
 * deployment with a message naming the class, the method and the fix, not the first request; checks the settings
 * ({@link SseKitConfig}) the same way. Holds the application's stop ({@link #applicationStop()}), so that
 * every part of it is bounded by the one {@code ssekit.shutdown.timeout}.
 */
public class SseKitExtension implements Extension {
    private final List<String> problems = new ArrayList<>();
    private final LongSupplier nanoClock;
    private StopBudget stop; // guarded by this

    /** The extension as the container loads it. */
    public SseKitExtension() {
        this(System::nanoTime);
    }

    /** @param nanoClock the clock the application's stop is measured on (tests move it on) */
    SseKitExtension(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * The application's stop, started before the container destroys the application's beans (or,
     * failing that event, by the first part to ask): the hub app's hub's and the injected hub's
     * {@code @PreDestroy}, then the container's {@code BeforeShutdown}, run one after another, and
     * each with a budget of its own let an undeploy take twice the shutdown timeout and more. Every
     * hub closed until it ends joins it ({@link StopBudget#currentOrStartingNow}).
     *
     * @return the budget every part of the application's stop runs within
     */
    synchronized StopBudget applicationStop() {
        if (stop == null) {
            stop = StopBudget.starting(shutdownTimeout(), nanoClock);
            StopBudget.beginApplicationStop(stop);
        }
        return stop;
    }

    /** The first event of an application's stop, before any of its beans' {@code @PreDestroy}. */
    void applicationStopping(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        applicationStop();
    }

    private static java.time.Duration shutdownTimeout() {
        try {
            return dev.ssekit.internal.Settings.current().duration(SseKitConfig.SHUTDOWN_TIMEOUT,
                    dev.ssekit.internal.Limits.DEFAULT_SHUTDOWN_TIMEOUT);
        } catch (IllegalArgumentException e) {
            return dev.ssekit.internal.Limits.DEFAULT_SHUTDOWN_TIMEOUT; // reported at deployment
        }
    }

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

    /**
     * The end of the application's stop, once its beans are destroyed: a later deployment in the same
     * class loader's reach gets a budget of its own.
     */
    void endApplicationStop(@Observes BeforeShutdown event) {
        StopBudget.endApplicationStop(applicationStop());
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
