package dev.ssekit.internal.wire;

/**
 * Carries what the ssekit request filter and the code a request runs tell each other: the request's
 * {@code Last-Event-ID} to {@code @Subscribe}, and back to the response filter where replay started
 * ({@code Mercure-Last-Event-ID}) and the id of the event a {@code @Publish} method published
 * ({@code SseKit-Event-ID}).
 *
 * <p>Why a thread-local: JAX-RS gives a resource method no portable way to set headers on an
 * {@code SseEventSink} response, nor to reach its {@code ContainerRequestContext}; and a CDI
 * interceptor has no portable way to the request's headers. Jersey and RESTEasy run the request
 * filters and a synchronous resource method on one thread, so the request filter installs a holder
 * here and in a request property, the code the request runs reads and fills it, and the response
 * filter (which may run on a writer thread) reads the property.
 *
 * <p>The holder is a {@code String[]}: a JDK type, so a value left on a container thread cannot
 * keep an undeployed application's class loader alive. A subscription clears the thread-local; the
 * response filter does too, and the next request's filter replaces it.
 */
public final class ResponseHeaders {
    private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();
    private static final int REPLAY_STARTED_AFTER = 0;
    private static final int LAST_EVENT_ID = 1;
    private static final int EVENT_ID = 2;

    private ResponseHeaders() {
    }

    /**
     * @param lastEventId the request's {@code Last-Event-ID} header; null or empty when it has none
     * @return a fresh holder, installed for the request being filtered on this thread
     */
    public static Object begin(String lastEventId) {
        String[] holder = new String[3];
        holder[LAST_EVENT_ID] = lastEventId == null || lastEventId.isEmpty() ? null : lastEventId;
        CURRENT.set(holder);
        return holder;
    }

    /** Forgets this thread's holder. */
    public static void end() {
        CURRENT.remove();
    }

    /** @return whether the request filter installed a holder for the request on this thread */
    public static boolean active() {
        return CURRENT.get() != null;
    }

    /** @return the {@code Last-Event-ID} of the request on this thread; null if it has none or no holder */
    public static String lastEventId() {
        String[] holder = CURRENT.get();
        return holder == null ? null : holder[LAST_EVENT_ID];
    }

    /** Records where replay started for the request on this thread, if a filter installed a holder. */
    public static void recordReplayStart(String after) {
        String[] holder = CURRENT.get();
        if (holder != null) {
            holder[REPLAY_STARTED_AFTER] = after;
        }
    }

    /** Records the id of an event published for the request on this thread, if a filter installed a holder. */
    public static void recordEventId(String id) {
        String[] holder = CURRENT.get();
        if (holder != null) {
            holder[EVENT_ID] = id;
        }
    }

    /** @return where replay started, from a holder {@link #begin} returned; null if none was recorded */
    public static String replayStartedAfter(Object holder) {
        return holder instanceof String[] h && h.length == 3 ? h[REPLAY_STARTED_AFTER] : null;
    }

    /** @return the id of the event published last, from a holder {@link #begin} returned; null if none */
    public static String eventId(Object holder) {
        return holder instanceof String[] h && h.length == 3 ? h[EVENT_ID] : null;
    }
}
