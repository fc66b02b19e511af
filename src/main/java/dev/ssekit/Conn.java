package dev.ssekit;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.conn.ConnRuntime;
import dev.ssekit.internal.conn.Outlets;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.Json;

import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One client's event stream, opened from the JAX-RS {@link SseEventSink} of a request (the Go
 * package's {@code Upgrade}).
 *
 * <pre>{@code
 * @GET @Produces(MediaType.SERVER_SENT_EVENTS)
 * public void events(@Context SseEventSink sink, @Context Sse sse) {
 *     Conn conn = Conn.open(sink, sse);
 *     conn.sendData("hello");
 * }
 * }</pre>
 *
 * <p>Opening writes a {@code : connected} comment at once, so the response headers reach the client
 * without waiting for the first event. Events are written in order by ssekit's writer threads from a
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
        /** Its hub or topic registry closed. */
        HUB_CLOSED,
        /** ssekit could not serve it, for example because the history store failed during replay. */
        ERROR
    }

    private final Connection connection;

    Conn(Connection connection) {
        this.connection = connection;
    }

    /**
     * Opens a connection with the default settings (see {@link Builder}).
     *
     * @param sink the request's sink
     * @param sse  the JAX-RS {@code Sse}
     * @return the open connection
     * @throws IllegalArgumentException if an argument is null or the sink is closed
     */
    public static Conn open(SseEventSink sink, Sse sse) {
        return builder(sink, sse).open();
    }

    /**
     * @param sink the request's sink
     * @param sse  the JAX-RS {@code Sse}
     * @return a builder for a connection with chosen settings
     * @throws IllegalArgumentException if an argument is null
     */
    public static Builder builder(SseEventSink sink, Sse sse) {
        return new Builder(Checks.notNull(sink, "sink"), Checks.notNull(sse, "sse"));
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
     * Queues a data-only event; same as {@code send(Event.of(data))}.
     *
     * @param data the data
     * @return as {@link #send(Event)}
     * @throws ConnectionClosedException if the connection has ended
     * @throws IllegalArgumentException if {@code data} is null
     */
    public CompletionStage<Void> sendData(String data) {
        return send(Event.of(data));
    }

    /**
     * Queues an event whose data is {@code value} in JSON (JSON-B).
     *
     * @param value the value to encode
     * @return as {@link #send(Event)}
     * @throws ConnectionClosedException if the connection has ended
     * @throws IllegalArgumentException if {@code value} is null
     * @throws SseKitException if no JSON-B implementation is available
     */
    public CompletionStage<Void> sendJson(Object value) {
        Checks.notNull(value, "value");
        return send(Event.of(Json.jsonb().toJson(value)));
    }

    /**
     * Queues a comment, which clients ignore.
     *
     * @param text the comment; line breaks make several comment lines
     * @return as {@link #send(Event)}
     * @throws ConnectionClosedException if the connection has ended
     * @throws IllegalArgumentException if {@code text} is null
     */
    public CompletionStage<Void> comment(String text) {
        return send(Event.comment(text));
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

    /** @return the client's address, when it was given at open */
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

    /** Settings of one connection; each setter checks its value at once. */
    public static final class Builder extends ConnectionSettings<Builder> {
        private final SseEventSink sink;
        private final Sse sse;
        private String remoteAddress;

        private Builder(SseEventSink sink, Sse sse) {
            this.sink = sink;
            this.sse = sse;
        }

        /**
         * @param value the client's address, for logs and events
         * @return this builder
         */
        public Builder remoteAddress(String value) {
            this.remoteAddress = value;
            return this;
        }

        /**
         * @return the open connection
         * @throws IllegalArgumentException if the sink is already closed
         */
        public Conn open() {
            ConnRuntime runtime = ConnRuntime.shared();
            return new Conn(new Connection(Outlets.forSink(sink, runtime), settings, runtime, remoteAddress, true));
        }
    }
}
