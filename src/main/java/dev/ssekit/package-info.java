/**
 * ssekit: Server-Sent Events for Jakarta EE on JAX-RS.
 *
 * <h2>Usage</h2>
 * An application has one {@link dev.ssekit.Hub}: inject it ({@code @Inject Hub hub}; the server
 * configures, checks and closes it) or, without CDI, build it ({@code Hub.builder()....build()},
 * which reads the same {@code ssekit.*} configuration) and close it yourself.
 * <pre>{@code
 * Topic<Order> orders = hub.topic("orders", Order.class);   // or @Inject @TopicName("orders") Topic<Order>
 * orders.subscribe(hub.open(sink), lastEventId);            // replays what the client missed, then live
 * String id = orders.publish(order).id();                   // after the commit inside a JTA transaction
 * }</pre>
 * <ul>
 *   <li>{@link dev.ssekit.Event}: one event, an immutable value checked when made, with a
 *   documented wire format.</li>
 *   <li>{@link dev.ssekit.Hub}: opens connections ({@code open(sink)}), subscribes them to one or
 *   more topics ({@code subscribe(conn, topics, lastEventId[, matcher])}) and publishes events to
 *   them ({@code publish(topics, event[, mode])}), with one history and one publish order for all
 *   its topics. Its {@link dev.ssekit.Hub.Builder} holds the connection settings (heartbeat, queue
 *   bounds, timeouts, limits).</li>
 *   <li>{@link dev.ssekit.Topic}: the hub's typed view of one topic; encodes each value once.</li>
 *   <li>{@link dev.ssekit.Conn}: one client's stream: a bounded queue, heartbeats, a
 *   {@code done()} stage with its {@link dev.ssekit.Conn.CloseReason}.</li>
 *   <li>{@link dev.ssekit.Published}: what a publish returns, the event's id and a stage that
 *   completes once it is stored; {@link dev.ssekit.PublishMode} says whether it waits for the
 *   caller's transaction to commit.</li>
 *   <li>{@link dev.ssekit.Subscription}, {@link dev.ssekit.TopicStats},
 *   {@link dev.ssekit.OverflowPolicy}.</li>
 *   <li>{@link dev.ssekit.SseKitFeature}: registers the JAX-RS providers that set the stream
 *   headers, including {@code Mercure-Last-Event-ID}, and write events exactly as framed.</li>
 * </ul>
 * The CDI annotations are in {@link dev.ssekit.cdi}, the interfaces you may implement in
 * {@link dev.ssekit.spi}, the history stores in {@link dev.ssekit.history}.
 *
 * <h2>Guarantees</h2>
 * A publish never waits for a client. Each connection receives events in history order; a
 * subscription with a {@code Last-Event-ID} gets the events after it, then live events, with no gap
 * and no duplicate. A client that has gone is removed within one heartbeat interval. A returned
 * {@code CompletionStage} completes when the thing happened (written to the client, stored), or
 * fails with the reason.
 *
 * <h2>Exceptions</h2>
 * ssekit's own failures are {@link dev.ssekit.SseKitException}s: {@link dev.ssekit.HubClosedException},
 * {@link dev.ssekit.ConnectionClosedException}, {@link dev.ssekit.SubscriberLimitException},
 * {@link dev.ssekit.HistoryStoreException}, {@link dev.ssekit.DuplicateIdException},
 * {@link dev.ssekit.EventDroppedException}. Bad arguments are {@code IllegalArgumentException}s whose
 * message names the argument ({@link dev.ssekit.EventTooLargeException} for data over the size
 * limit); a JSON value without a JSON-B implementation is an {@code IllegalStateException}; a
 * transaction that rolls back fails {@link dev.ssekit.Published#stored()} with a
 * {@link java.util.concurrent.CancellationException}.
 *
 * <p>{@code dev.ssekit.internal} is not API.
 */
package dev.ssekit;
