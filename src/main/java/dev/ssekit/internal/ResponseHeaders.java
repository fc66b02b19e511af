package dev.ssekit.internal;

/**
 * Carries the {@code Mercure-Last-Event-ID} value from a subscription to the response filter.
 *
 * <p>Why a thread-local: JAX-RS gives a resource method no portable way to set headers on an
 * {@code SseEventSink} response, nor to reach its {@code ContainerRequestContext}. Jersey and RESTEasy
 * run the request filters and a synchronous resource method on one thread, so the request filter
 * installs a holder here and in a request property, the subscription fills it, and the response
 * filter reads the property.
 */
public final class ResponseHeaders {
    private static final ThreadLocal<ResponseHeaders> CURRENT = new ThreadLocal<>();

    private volatile String replayStartedAfter;

    /** Installs a fresh holder for the request being filtered on this thread. */
    public static ResponseHeaders begin() {
        ResponseHeaders h = new ResponseHeaders();
        CURRENT.set(h);
        return h;
    }

    /** Forgets this thread's holder. */
    public static void end() {
        CURRENT.remove();
    }

    /** Records where replay started, for the request on this thread, if a filter installed a holder. */
    public static void recordReplayStart(String after) {
        ResponseHeaders h = CURRENT.get();
        if (h != null) {
            h.replayStartedAfter = after;
        }
    }

    /** @return where replay started, or null */
    public String replayStartedAfter() {
        return replayStartedAfter;
    }
}
