package dev.ssekit;

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
 * @Inject @Topic("orders") Hub<Order> orders;   // topic "orders", values of type Order (JSON-B)
 * @Inject @Topic Hub<String> alerts;            // topic "alerts": the injection point's name
 * }</pre>
 * All injected hubs share one {@link Topics} registry, which can itself be injected.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface Topic {
    /** @return the topic; empty (the default) for the name of the field or parameter */
    @Nonbinding
    String value() default "";
}
