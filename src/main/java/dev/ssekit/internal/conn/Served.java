package dev.ssekit.internal.conn;

import java.util.ArrayList;
import java.util.List;

/**
 * The moment the JAX-RS runtime is done with one request, as a container's output reports it
 * ({@link NonBlockingOutput#whenServed}): what waits for it runs once, on the thread that marks it.
 */
public final class Served {
    private boolean done; // guarded by this
    private List<Runnable> waiting; // guarded by this; one per stream of the request, mostly one

    /** Runs {@code then} once the request is served: now, on this thread, if it already is. */
    public void then(Runnable then) {
        synchronized (this) {
            if (!done) {
                if (waiting == null) {
                    waiting = new ArrayList<>(1);
                }
                waiting.add(then);
                return;
            }
        }
        then.run();
    }

    /** Marks the request served, and runs what waited for it, on this thread. Idempotent. */
    public void mark() {
        List<Runnable> run;
        synchronized (this) {
            done = true;
            run = waiting;
            waiting = null;
        }
        if (run != null) {
            run.forEach(Runnable::run);
        }
    }
}
