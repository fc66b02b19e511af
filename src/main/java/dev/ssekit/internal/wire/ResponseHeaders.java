package dev.ssekit.internal.wire;

/**
 * Carries the {@code Mercure-Last-Event-ID} value from a subscription to the response filter.
 *
 * <p>Why a thread-local: JAX-RS gives a resource method no portable way to set headers on an
 * {@code SseEventSink} response, nor to reach its {@code ContainerRequestContext}. Jersey and RESTEasy
 * run the request filters and a synchronous resource method on one thread, so the request filter
 * installs a holder here and in a request property, the subscription fills it, and the response
 * filter (which may run on a writer thread) reads the property.
 *
 * <p>The holder is a {@code String[1]}: a JDK type, so a value left on a container thread cannot
 * keep an undeployed application's class loader alive. The subscription clears the thread-local.
 */
public final class ResponseHeaders {
    private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

    private ResponseHeaders() {
    }

    /** @return a fresh holder, installed for the request being filtered on this thread */
    public static String[] begin() {
        String[] holder = new String[1];
        CURRENT.set(holder);
        return holder;
    }

    /** Forgets this thread's holder. */
    public static void end() {
        CURRENT.remove();
    }

    /** Records where replay started for the request on this thread, if a filter installed a holder. */
    public static void recordReplayStart(String after) {
        String[] holder = CURRENT.get();
        if (holder != null) {
            holder[0] = after;
        }
    }
}
