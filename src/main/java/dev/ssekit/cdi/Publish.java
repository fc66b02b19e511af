package dev.ssekit.cdi;

import dev.ssekit.SseKitFeature;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Broadcasts what a CDI bean's method returns (for example a JAX-RS POST method), on the
 * application's injected hubs; the method's own result, and so the HTTP response, is unchanged.
 * <pre>{@code
 * @POST @Path("{id}/status") @Publish(topic = "orders/{id}", type = "status")
 * public OrderStatus update(@PathParam("id") String id, OrderStatus status) { ... }
 * }</pre>
 * A {@code String} is sent as it is, a {@code jakarta.ws.rs.core.Response}'s entity or any other
 * value as JSON (JSON-B); a null result is not published. Only successful results are: a
 * {@code Response} whose status is not 2xx (a 404, a 500, a redirect) and a method that throws (a
 * {@code WebApplicationException} included) publish nothing. {@code {name}} in the topic is the method
 * parameter annotated {@code @PathParam("name")}. Methods that return nothing, or whose topic names
 * an unknown parameter, fail the deployment with a message that names them.
 *
 * <p>The response to the request that ran the method carries the event's id in the header
 * {@value SseKitFeature#EVENT_ID_HEADER} (with {@link SseKitFeature} registered), so that the client
 * knows which event it caused: the id it will see on its stream, or send back as {@code Last-Event-ID}.
 * Inside a JTA transaction it is the id the event will carry once the transaction commits. If the
 * request ran several such methods, the header holds the last event's id; if nothing was published, it
 * is absent.
 */
@InterceptorBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Publish {
    /** @return the topic, possibly with {@code {pathParam}} parts */
    @Nonbinding
    String topic() default "";

    /** @return the event type; empty for none (a plain message event) */
    @Nonbinding
    String type() default "";
}
