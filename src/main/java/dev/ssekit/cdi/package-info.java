/**
 * ssekit in a CDI application: the application's {@link dev.ssekit.Hub}, its topics, and two
 * annotations for JAX-RS resources. Nothing to configure beyond registering
 * {@link dev.ssekit.SseKitFeature}: the jar is a bean archive of its own.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * @Inject Hub hub;                                      // the application's hub
 * @Inject @TopicName("orders") Topic<Order> orders;     // one of its topics (JSON-B)
 *
 * @GET @Path("{id}/events") @Produces(MediaType.SERVER_SENT_EVENTS)
 * @Subscribe(topic = "orders/{id}")                     // opens and subscribes the sink, replays
 * public void events(@PathParam("id") String id, @Context SseEventSink sink) {
 * }
 *
 * @POST @Path("{id}/status") @Publish(topic = "orders/{id}", type = "status")
 * public OrderStatus update(@PathParam("id") String id, OrderStatus status) {
 *     return status;                                   // published on success; header SseKit-Event-ID
 * }
 * }</pre>
 * <ul>
 *   <li>{@code @Inject Hub} (unqualified) is the application's one hub, made on first use from the
 *   {@code ssekit.*} configuration, reported by the health checks, and closed when the application
 *   stops. It fires {@link dev.ssekit.spi.SubscriberConnected} and
 *   {@link dev.ssekit.spi.SubscriberDisconnected} as CDI events.</li>
 *   <li>{@link dev.ssekit.cdi.TopicName} qualifies an injected {@link dev.ssekit.Topic} of that hub;
 *   without a value, the topic is named after the field or parameter.</li>
 *   <li>{@link dev.ssekit.cdi.Subscribe} makes a {@code void} resource method with an
 *   {@code @Context SseEventSink} parameter a stream of a topic, replaying after the request's
 *   {@code Last-Event-ID}.</li>
 *   <li>{@link dev.ssekit.cdi.Publish} publishes what a method returns, on success only, after the
 *   commit inside a JTA transaction.</li>
 * </ul>
 * {@code {name}} in a topic is the method parameter annotated {@code @PathParam("name")}. A method
 * that breaks these rules fails the deployment with a message that names it.
 */
package dev.ssekit.cdi;
