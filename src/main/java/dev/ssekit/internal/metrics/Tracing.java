package dev.ssekit.internal.metrics;

import java.util.Set;

/**
 * Where the engine reports its spans: one per publish (with its store call and fan-out as children)
 * and one per replay. It names no OpenTelemetry type, so the engine loads none where the API is
 * absent; {@link OpenTelemetryTracing} is the one implementation, found with the metrics binding
 * ({@link Traced}). Spans join the calling thread's current context (a server's span of the HTTP
 * request, or the one the embedded hub made from the request's {@code traceparent}); nothing of them
 * reaches the event stream.
 *
 * <p>Thread-safe; every call is cheap and never throws.
 */
public interface Tracing {
    /** Records nothing, and costs nothing. */
    Tracing NONE = new Tracing() {
        @Override
        public PublishSpan publish(Set<String> topics) {
            return PublishSpan.NONE;
        }

        @Override
        public void replay(Set<String> topics, String afterId, long startNanos, long endNanos, int replayed,
                           String startedAfter, Throwable failure) {
        }
    };

    /**
     * Starts a publish's span, a child of the calling thread's current context.
     *
     * @param topics the event's topics
     * @return the span, to be ended on the publishing thread
     */
    PublishSpan publish(Set<String> topics);

    /**
     * Records a replay's span (a child of the calling thread's current context), once it is known how
     * many events it replays.
     *
     * @param afterId      the id the client sent
     * @param startNanos   when the replay started ({@link System#nanoTime()})
     * @param endNanos     when its first page was handed to the connection
     * @param replayed     the events it replays, every page
     * @param startedAfter where replay started ({@code earliest}, the client's id, or the newest id
     *                     when the client missed more than the cap); null when it failed
     * @param failure      why it failed, or null
     */
    void replay(Set<String> topics, String afterId, long startNanos, long endNanos, int replayed,
                String startedAfter, Throwable failure);

    /** One publish's span, ended by {@link #end}. Not thread-safe: one publishing thread uses it. */
    interface PublishSpan {
        PublishSpan NONE = (id, failure, batch) -> {
        };

        /**
         * Ends the span with its children, from what the pipeline noted.
         *
         * @param id      the event's id as stored, or null when it failed
         * @param failure why it failed, or null
         * @param batch   what the store and fan-out stages noted for this event, or null if it never
         *                reached a batch
         */
        void end(String id, Throwable failure, Stages batch);
    }

    /**
     * When a batch's store call and fan-out ran ({@link System#nanoTime()}), shared by every event of
     * the batch: the batch's thread notes them, each publisher reads them once its event is settled.
     * 0 for a stage that did not run.
     */
    final class Stages {
        public volatile long storeStart;
        public volatile long storeEnd;
        public volatile long fanOutStart;
        public volatile long fanOutEnd;
        public volatile int events;
    }
}
