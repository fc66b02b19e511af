package dev.ssekit.internal.cdi;

import dev.ssekit.Hub;
import dev.ssekit.HubClosedException;
import dev.ssekit.Topic;
import dev.ssekit.cdi.TopicName;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.internal.StopBudget;
import dev.ssekit.internal.config.SseKitConfig;
import dev.ssekit.internal.metrics.Metrics;
import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.spi.SubscriberConnected;
import dev.ssekit.spi.SubscriberDisconnected;
import dev.ssekit.spi.SubscriberListener;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.inject.Inject;

import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.logging.Logger;

/**
 * Makes the hubs that {@link TopicName} injection points ask for, all in one application-wide
 * {@link Hub} registry, which it closes (ending every stream cleanly) when the application stops.
 * The registry takes its settings and history store from the configuration ({@link SseKitConfig}),
 * reports to MicroProfile Metrics when the server has them, and fires {@link SubscriberConnected}
 * and {@link SubscriberDisconnected} as CDI events.
 */
@ApplicationScoped
public class HubProducer {
    private static final Logger LOG = Logger.getLogger(HubProducer.class.getName());

    // Written under the lock, read without it: a request never waits for a stop in progress (the
    // stop may take the whole shutdown timeout), it finds the registry closing and is refused.
    private volatile Hub hub;
    private HistoryStore store;
    private java.time.Duration shutdownTimeout;
    private volatile boolean closed;

    @Inject
    Event<Object> events;

    /**
     * @return the application's registry, made on first use; it fires the subscriber CDI events
     * @throws IllegalArgumentException naming the key and value of an invalid setting
     * @throws dev.ssekit.SseKitException if the history store cannot be reached
     */
    @Produces
    public Hub hub() {
        Hub made = hub;
        if (made != null) {
            return made;
        }
        synchronized (this) {
            return open();
        }
    }

    /** Makes the registry once; the caller holds the lock. */
    private Hub open() {
        if (hub == null && closed) {
            throw new dev.ssekit.HubClosedException("the application's hubs (the application is stopping)");
        }
        if (hub == null) {
            SseKitConfig config = SseKitConfig.current();
            MetricsBinding metrics = Metrics.forApplication();
            HistoryStore opened = config.openStore();
            try {
                hub = build(opened, metrics);
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            store = opened;
            shutdownTimeout = config.shutdownTimeout();
            LOG.info(() -> "ssekit: hubs ready, history " + store + ", heartbeat " + config.heartbeat() + ", metrics: "
                    + (metrics == MetricsBinding.NONE ? "off (neither MicroProfile Metrics nor OpenTelemetry here)" : metrics));
        }
        return hub;
    }

    /**
     * @return the application's registry if it was made and is not closed, else null; never makes one
     *         (a liveness probe must not open the history store)
     */
    public Hub existing() {
        return closed ? null : hub;
    }

    /** @return true once the application is stopping */
    public boolean isClosed() {
        return closed;
    }

    /** The builder applies the configuration itself; the store and metrics are the ones made here. */
    private Hub build(HistoryStore history, MetricsBinding metrics) {
        return Hub.builder().name("ssekit").history(history).metrics(metrics)
                .listener(new SubscriberListener() {
                    @Override
                    public void connected(SubscriberConnected event) {
                        events.select(SubscriberConnected.class).fire(event);
                    }

                    @Override
                    public void disconnected(SubscriberDisconnected event) {
                        events.select(SubscriberDisconnected.class).fire(event);
                    }
                }).build();
    }

    /**
     * @param ip the injection point, {@code @TopicName Topic<T>}
     * @param <T> the value type
     * @return the hub of the topic the qualifier or the injection point names
     * @throws IllegalArgumentException if the type argument of {@code Topic} is missing or not a class
     */
    @Produces
    @TopicName
    @Dependent
    public <T> Topic<T> topic(InjectionPoint ip) {
        TopicName qualifier = ip.getQualifiers().stream().filter(TopicName.class::isInstance).map(TopicName.class::cast)
                .findFirst().orElseThrow();
        String topic = qualifier.value().isEmpty() ? nameOf(ip) : qualifier.value();
        return hub().topic(topic, valueType(ip));
    }

    private static String nameOf(InjectionPoint ip) {
        if (ip.getAnnotated() instanceof jakarta.enterprise.inject.spi.AnnotatedParameter<?> p) {
            Parameter parameter = p.getJavaParameter();
            if (!parameter.isNamePresent()) {
                throw new IllegalArgumentException("@TopicName on parameter " + parameter + " of " + ip.getMember()
                        + " needs a value: parameter names are not compiled in (javac -parameters)");
            }
            return parameter.getName();
        }
        if (ip.getMember() instanceof Field field) {
            return field.getName();
        }
        return ip.getMember().getName();
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> valueType(InjectionPoint ip) {
        Type type = ip.getType();
        if (type instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return (Class<T>) c;
        }
        if (type instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof ParameterizedType inner
                && inner.getRawType() instanceof Class<?> raw) {
            return (Class<T>) raw; // e.g. Topic<Map<String, Object>>: JSON-B handles the raw type
        }
        throw new IllegalArgumentException("@TopicName injection point " + ip.getMember() + " must be Topic<SomeType>, was "
                + type.getTypeName());
    }

    /**
     * Ends every stream, stops the threads of the application's hub and closes the history store,
     * within {@code ssekit.shutdown.timeout}, which bounds the application's whole stop (the hub
     * app's hub too, in the hub WAR). The lock is held only to mark the hub closed: requests
     * meanwhile reach the closing hub and are refused at once, none waits for the stop.
     */
    @PreDestroy
    public void close() {
        Hub closing;
        synchronized (this) {
            if (closed) {
                return;
            }
            // The closed registry stays: a request still running gets HubClosedException (503 in the
            // hub), never a fresh registry with new threads and an empty store.
            closed = true;
            closing = hub;
        }
        if (closing != null) {
            LOG.fine("ssekit: closing the application's hubs");
            // The application's stop when the container closes it (SseKitExtension): one budget for
            // every registry and connection of the application, not one each.
            StopBudget budget = StopBudget.currentOrStartingNow(shutdownTimeout);
            closing.close(); // its phases end at THREADS of the same budget: the store gets the rest
            budget.runWithin(StopBudget.ALL, "closing the history store " + store, LOG, store::close);
        }
    }
}
