package dev.ssekit.internal.metrics;

import dev.ssekit.spi.MetricsBinding;

import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.spi.Annotated;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.enterprise.inject.spi.InjectionPoint;

import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.lang.annotation.Annotation;
import java.lang.reflect.Member;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Set;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports every topic's counts to the application's MicroProfile Metrics registry, each metric
 * tagged {@code topic}. The names are documented in docs/operations.md ("Metrics").
 */
public final class MicroProfileMetrics implements MetricsBinding {
    private static final Logger LOG = Logger.getLogger(MicroProfileMetrics.class.getName());

    static final Metadata SUBSCRIBERS = meta("ssekit.subscribers", "Connections subscribed to the topic now",
            MetricUnits.NONE);
    static final Metadata PUBLISHED = meta("ssekit.events.published", "Events published to the topic",
            MetricUnits.NONE);
    static final Metadata DELIVERED = meta("ssekit.events.delivered",
            "Events written to the topic's subscribers, one per subscriber", MetricUnits.NONE);
    static final Metadata DROPPED = meta("ssekit.events.dropped",
            "Events subscribers lost to the slow-consumer policy", MetricUnits.NONE);
    static final Metadata CUT = meta("ssekit.subscribers.cut",
            "Subscribers ended by the slow-consumer policy or the write timeout", MetricUnits.NONE);
    static final Metadata REPLAYED = meta("ssekit.events.replayed", "Events replayed to reconnecting subscribers",
            MetricUnits.NONE);
    static final Metadata LAG = meta("ssekit.delivery.lag",
            "From the publish this node accepted to its frame written to one subscriber", MetricUnits.NANOSECONDS);
    static final Metadata PUBLISH = meta("ssekit.publish.duration",
            "Time to store an event and queue it to every subscriber", MetricUnits.NANOSECONDS);

    private final MetricRegistry registry;
    private final List<MetricID> registered = new CopyOnWriteArrayList<>();

    private MicroProfileMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    private static Metadata meta(String name, String description, String unit) {
        return Metadata.builder().withName(name).withDescription(description).withUnit(unit).build();
    }

    /**
     * @return a binding to the application's registry when CDI has one, else
     *         {@link MetricsBinding#NONE}; call through {@link Metrics#forApplication()}
     */
    static MetricsBinding ifAvailable() {
        BeanManager beans;
        try {
            beans = CDI.current().getBeanManager();
        } catch (IllegalStateException e) {
            // No CDI container: a hub built in plain Java, where the registry is not a bean either.
            LOG.fine("ssekit: no CDI container, so no MicroProfile Metrics registry; metrics are off");
            return NONE;
        }
        try {
            if (!beans.getBeans(MetricRegistry.class).isEmpty()) {
                // Through an injection point, not CDI.select(): Payara's producer reads the point's
                // annotations (for @RegistryScope) and fails on a programmatic lookup.
                Object registry = beans.getInjectableReference(new RegistryInjectionPoint(),
                        beans.createCreationalContext(null));
                return new MicroProfileMetrics((MetricRegistry) registry);
            }
            LOG.fine("ssekit: MicroProfile Metrics has no MetricRegistry bean here; metrics are off");
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "ssekit: the MicroProfile Metrics registry could not be reached; metrics are off", e);
        }
        return NONE;
    }

    @Override
    public TopicMetrics bind(String topic, IntSupplier subscribers) {
        Tag tag = new Tag("topic", topic);
        registry.gauge(SUBSCRIBERS, subscribers, s -> s.getAsInt(), tag);
        Counter published = counter(PUBLISHED, tag);
        Counter delivered = counter(DELIVERED, tag);
        Counter dropped = counter(DROPPED, tag);
        Counter cut = counter(CUT, tag);
        Counter replayed = counter(REPLAYED, tag);
        Timer publish = registry.timer(PUBLISH, tag);
        // A histogram of nanoseconds, not a timer: a timer takes a Duration, one object per delivery.
        Histogram lag = registry.histogram(LAG, tag);
        for (Metadata m : List.of(SUBSCRIBERS, PUBLISH, LAG)) {
            registered.add(new MetricID(m.getName(), tag));
        }
        return new TopicMetrics() {
            @Override
            public void published(long nanos) {
                published.inc();
                publish.update(Duration.ofNanos(nanos));
            }

            @Override
            public void delivered() {
                delivered.inc();
            }

            @Override
            public void delivered(long lagNanos) {
                delivered.inc();
                if (lagNanos >= 0) {
                    lag.update(lagNanos);
                }
            }

            @Override
            public void delivered(long[] lagNanos, int from, int to) {
                delivered.inc(to - from);
                for (int i = from; i < to; i++) {
                    if (lagNanos[i] >= 0) {
                        lag.update(lagNanos[i]);
                    }
                }
            }

            @Override
            public void dropped() {
                dropped.inc();
            }

            @Override
            public void cut() {
                cut.inc();
            }

            @Override
            public void replayed(int events) {
                replayed.inc(events);
            }
        };
    }

    private Counter counter(Metadata metadata, Tag tag) {
        registered.add(new MetricID(metadata.getName(), tag));
        return registry.counter(metadata, tag);
    }

    @Override
    public String toString() {
        return "MicroProfile Metrics";
    }

    @Override
    public void close() {
        for (MetricID id : registered) {
            try {
                registry.remove(id);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "ssekit: could not remove metric " + id, e);
            }
        }
        registered.clear();
    }

    /** {@code @Inject MetricRegistry registry;}: the application's registry, with no scope annotation. */
    private static final class RegistryInjectionPoint implements InjectionPoint, Annotated {
        @Override
        public Type getType() {
            return MetricRegistry.class;
        }

        @Override
        public Set<Annotation> getQualifiers() {
            return Set.of(Default.Literal.INSTANCE);
        }

        @Override
        public Bean<?> getBean() {
            return null;
        }

        @Override
        public Member getMember() {
            return null;
        }

        @Override
        public Annotated getAnnotated() {
            return this;
        }

        @Override
        public boolean isDelegate() {
            return false;
        }

        @Override
        public boolean isTransient() {
            return false;
        }

        @Override
        public Type getBaseType() {
            return MetricRegistry.class;
        }

        @Override
        public Set<Type> getTypeClosure() {
            return Set.of(MetricRegistry.class, Object.class);
        }

        @Override
        public <T extends Annotation> T getAnnotation(Class<T> type) {
            return null;
        }

        @Override
        public <T extends Annotation> Set<T> getAnnotations(Class<T> type) {
            return Set.of();
        }

        @Override
        public Set<Annotation> getAnnotations() {
            return Set.of();
        }

        @Override
        public boolean isAnnotationPresent(Class<? extends Annotation> type) {
            return false;
        }
    }
}
