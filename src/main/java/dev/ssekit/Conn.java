package dev.ssekit;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.wire.EncodedEvent;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One client's event stream, opened by {@link Hub#open} from the JAX-RS {@code SseEventSink} of a
 * request (the Go package's {@code Upgrade}).
 *
 * <pre>{@code
 * @GET @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void events(@Context SseEventSink sink) {
 *     Conn conn = hub.open(sink);
 *     conn.send(Event.of("hello"));
 * }
 * }</pre>
 *
 * <p>Its first write, a {@code : connected} comment when it is subscribed or sends, commits the
 * response headers, so they reach the client without waiting for the first event. Events are written in order by ssekit's writer threads from a
 * bounded queue: {@code send} never blocks on the client. A client that has gone is noticed within
 * one heartbeat interval (20 s by default): JAX-RS reports a disconnect only when a write fails, and
 * Jersey only at the second or third write after the client left, so an idle connection gets a
 * {@code : heartbeat} comment three times per interval.
 *
 * <p>All methods are thread-safe. A connection ends once, for one {@link CloseReason}, and
 * {@link #done()} completes with it.
 */
public final class Conn {
    /** Why a connection ended. */
    public enum CloseReason {
        /** The application closed it. */
        CLOSED,
        /** A write failed or the container reported the sink closed: the client has gone. */
        CLIENT_GONE,
        /** Its queue overflowed under {@link OverflowPolicy#DISCONNECT}. */
        SLOW_CONSUMER,
        /** A write took longer than the write timeout. */
        WRITE_TIMEOUT,
        /** It reached its maximum lifetime. */
        LIFETIME_EXPIRED,
        /** Its hub closed. */
        HUB_CLOSED,
        /** ssekit could not serve it, for example because the history store failed during replay. */
        ERROR
    }

    private final Connection connection;

    Conn(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Queues an event.
     *
     * @param event the event
     * @return a stage that completes once the event is written to the client, or fails with
     *         {@link ConnectionClosedException} if the connection ends first
     * @throws ConnectionClosedException if the connection has ended
     * @throws IllegalArgumentException if {@code event} is null
     */
    public CompletionStage<Void> send(Event event) {
        Checks.notNull(event, "event");
        return connection.send(EncodedEvent.of(event));
    }

    /**
     * Ends the connection: events already queued are still written, then the stream is closed.
     * Idempotent.
     */
    public void close() {
        connection.close(CloseReason.CLOSED);
    }

    /**
     * Ends the connection gracefully, as {@link CloseReason#LIFETIME_EXPIRED}, once {@code delay} has
     * passed, unless it ends first or an earlier limit applies; for example when the credentials
     * that opened it expire. The client reconnects (with new credentials) and catches up by replay.
     *
     * @param delay how long from now, not negative
     * @throws IllegalArgumentException if the delay is null or negative
     */
    public void closeAfter(Duration delay) {
        Checks.notNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        connection.closeAfter(delay);
    }

    /** @return true once the connection accepts no more events */
    public boolean isClosed() {
        return connection.isClosed();
    }

    /** @return a stage that completes, with the reason, when the connection has ended for any reason */
    public CompletionStage<CloseReason> done() {
        return connection.done();
    }

    /** @return the client's address, where the container tells it (a servlet request) */
    public Optional<String> remoteAddress() {
        return Optional.ofNullable(connection.remoteAddress());
    }

    /** @return events written to this client so far, comments excluded */
    public long delivered() {
        return connection.delivered();
    }

    /** @return events dropped for this client by {@link OverflowPolicy#DROP_OLDEST} */
    public long dropped() {
        return connection.dropped();
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
