/**
 * ssekit: Server-Sent Events for Jakarta EE on JAX-RS.
 *
 * <h2>Usage</h2>
 * <ul>
 *   <li>{@link dev.ssekit.Event}: one event, an immutable value checked when made, with a
 *   documented wire format.</li>
 *   <li>{@link dev.ssekit.Conn}: one client's stream, opened from the request's
 *   {@code SseEventSink}; heartbeats, a bounded queue, a maximum lifetime, and a
 *   {@code done()} stage.</li>
 *   <li>{@link dev.ssekit.Topic}: broadcasts values of one type to the connections on a topic,
 *   encoding each value once, and replays what a reconnecting client missed.</li>
 *   <li>{@link dev.ssekit.Hub}: the registry of named hubs that share one history and one
 *   publish order, so that a connection can listen to several topics.</li>
 *   <li>{@link dev.ssekit.SseKitFeature}: registers the JAX-RS providers that set the stream
 *   headers, including {@code Mercure-Last-Event-ID}.</li>
 * </ul>
 *
 * <h2>Guarantees</h2>
 * A broadcast never waits for a client. Each connection receives events in history order; a
 * subscription with a {@code Last-Event-ID} gets the events after it, then live events, with no gap
 * and no duplicate. A client that has gone is removed within one heartbeat interval. A returned
 * {@code CompletionStage} completes when the thing happened (written to the client), or fails with
 * the reason.
 *
 * <p>Exceptions: {@link dev.ssekit.ConnectionClosedException} and
 * {@link dev.ssekit.HubClosedException}, both {@link dev.ssekit.SseKitException}s; bad arguments are
 * {@code IllegalArgumentException}s whose message names the argument.
 *
 * <p>{@code dev.ssekit.internal} is not API.
 */
package dev.ssekit;
