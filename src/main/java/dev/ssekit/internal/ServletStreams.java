package dev.ssekit.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.sse.SseEventSink;

import java.io.IOException;
import java.util.Map;

/**
 * Event streams served by a servlet filter, below JAX-RS: what the JAX-RS runtime, ssekit's
 * response filter and the sink do for a resource's stream, without the runtime's request state.
 * Offered where ssekit's servlet transport is installed ({@link #register}, by its filter), so that
 * the stream gets the request's non-blocking output.
 */
public final class ServletStreams {
    private static volatile Opener opener;

    private ServletStreams() {
    }

    /** A stream a filter serves: open the connection on its {@link #sink()}, then start or abort it. */
    public interface Stream {
        /** @return the sink to open the connection on; it holds what it is sent until {@link #start} */
        SseEventSink sink();

        /**
         * Answers 200 with the event stream's headers ({@code Content-Type}, the stream headers of
         * ssekit's response filter, {@code Mercure-Last-Event-ID} where the subscription recorded
         * where replay started) and {@code extra}, makes the request asynchronous and writes what
         * the stream was sent so far. On the thread that opened the stream.
         *
         * @param extra headers the application adds to every answer
         * @throws IOException if the client cannot take the head
         */
        void start(Map<String, String> extra) throws IOException;

        /** Ends a stream refused before it started; the connection, if opened, ends at its first write. */
        void abort();
    }

    /** Opens streams: ssekit's servlet transport. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param lastEventId the request's {@code Last-Event-ID} header, or null
         * @return the stream of the request this thread serves
         */
        Stream open(HttpServletRequest request, HttpServletResponse response, String lastEventId);
    }

    /**
     * @param value what opens streams from now on
     * @return what removes it again
     */
    public static Runnable register(Opener value) {
        opener = Checks.notNull(value, "opener");
        return () -> {
            if (opener == value) {
                opener = null;
            }
        };
    }

    /**
     * Opens the stream of the request this thread serves, inside ssekit's servlet transport (its
     * filter runs before the application's).
     *
     * @param request     the request, as the filter received it
     * @param response    the response, as the filter received it
     * @param lastEventId the request's {@code Last-Event-ID} header, or null
     * @return the stream, or null where the servlet transport is not installed: leave the request to JAX-RS
     */
    public static Stream open(HttpServletRequest request, HttpServletResponse response, String lastEventId) {
        Opener o = opener;
        return o == null ? null : o.open(request, response, lastEventId);
    }
}
