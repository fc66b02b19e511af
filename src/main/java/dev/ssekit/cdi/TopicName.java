package dev.ssekit.cdi;

import dev.ssekit.Hub;

import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Injects a topic of the application's {@link Hub} ({@link Hub#topic(String, Class)}), made on first
 * use; it lives as long as the hub, which the server closes with the application:
 * <pre>{@code
 * @Inject @TopicName("orders") Topic<Order> orders;   // topic "orders", values of type Order (JSON-B)
 * @Inject @TopicName Topic<String> alerts;            // topic "alerts": the injection point's name
 * }</pre>
 * Every injected topic is a view of the one hub, which is injected unqualified ({@code @Inject Hub}).
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
