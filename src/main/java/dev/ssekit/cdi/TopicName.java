package dev.ssekit.cdi;

import dev.ssekit.Hub;
import dev.ssekit.Topic;

import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects the hub of a topic, made on first use by the application's registry and closed with the
 * application:
 * <pre>{@code
 * @Inject @TopicName("orders") Topic<Order> orders;   // topic "orders", values of type Order (JSON-B)
 * @Inject @TopicName Topic<String> alerts;            // topic "alerts": the injection point's name
 * }</pre>
 * All injected hubs share one {@link Hub} registry, which can itself be injected.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface TopicName {
    /** @return the topic; empty (the default) for the name of the field or parameter */
    @Nonbinding
    String value() default "";
}
