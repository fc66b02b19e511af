package dev.ssekit.cdi;

import dev.ssekit.Conn;
import dev.ssekit.Hub;
import dev.ssekit.SseKitFeature;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a JAX-RS resource method a subscription endpoint on the application's injected {@link Hub}:
 * <pre>{@code
 * @GET @Path("{id}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
 * @Subscribe(topic = "orders/{id}")
 * public void events(@PathParam("id") String id, @Context SseEventSink sink) {
 * }
 * }</pre>
 * After the method body runs, the sink is opened as a {@link Conn} on the hub (heartbeats,
 * queue, limits) and subscribed to the topic, replaying what the client missed after the request's
 * {@code Last-Event-ID} header, which {@link SseKitFeature} reads for it: the method need not declare
 * it. A method that declares {@code @HeaderParam("Last-Event-ID") String} gets it as well, and that
 * parameter is what is used. Without the feature registered (and without that parameter) the request
 * fails with a {@code 500} whose body says so, logged once per method, rather than skip the client's
 * replay without a word. {@code {name}} in the topic is the parameter annotated
 * {@code @PathParam("name")}. A method that is not {@code void}, lacks the
 * {@code @Context SseEventSink} parameter, or names an unknown parameter fails the
 * deployment with a message that names it.
 */
@InterceptorBinding
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Subscribe {
    /** @return the topic, possibly with {@code {pathParam}} parts */
    @Nonbinding
    String topic() default "";
}
