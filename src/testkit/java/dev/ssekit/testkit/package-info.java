/**
 * ssekit's test kit: check what your Server-Sent Events endpoints send, from any JUnit test, against
 * any server (an embedded one, or a Jakarta EE server through Arquillian's {@code @RunAsClient}).
 * It needs nothing but the JDK.
 *
 * <h2>Usage</h2>
 * {@link dev.ssekit.testkit.SseRecorder#to(java.net.URI)} opens a stream (add {@code Last-Event-ID},
 * {@code Authorization} or any header first); the recorder parses what arrives by the WHATWG
 * {@code EventSource} rules into {@link dev.ssekit.testkit.ReceivedEvent}s, keeps comments apart, and
 * lets the test take them in order:
 * <ul>
 *   <li>{@code assertEvent(id, type, data)}: the next event is exactly this one;</li>
 *   <li>{@code assertData("a", "b")}: the next events carry exactly these data, in this order;</li>
 *   <li>{@code assertExhausted()}: nothing else arrived within a short window;</li>
 *   <li>{@code assertEnded(reason)}: the stream ended, and why ({@link dev.ssekit.testkit.StreamEnd});</li>
 *   <li>{@code reconnect()}: the same request again, with {@code Last-Event-ID} set to the last event
 *   taken, to check what the server replays;</li>
 *   <li>{@code status()}, {@code header(name)}: the response head, e.g. {@code Mercure-Last-Event-ID}.</li>
 * </ul>
 * Every wait is bounded (30 s unless set), and an assertion that fails says what did arrive.
 *
 * <h2>Guarantees</h2>
 * Each event is taken once, in the order the server sent it. Failures are {@link AssertionError}s,
 * reported as test failures by every test framework. Closing a recorder closes its connection, so
 * the server sees the client go.
 *
 * <p>The kit is the jar {@code dev.ssekit:ssekit} with the classifier {@code testkit}.
 * {@link dev.ssekit.testkit.EventStreamParser} is public because ssekit's own byte-level tests use it;
 * it is not part of the kit's API.
 */
package dev.ssekit.testkit;
