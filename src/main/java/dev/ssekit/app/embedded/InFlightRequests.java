package dev.ssekit.app.embedded;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the requests that still owe their client an answer, so that a stop waits for those and
 * for nothing else. Grizzly's own graceful shutdown counts every request until its response is
 * flushed, a stream's too: a stream whose client had left before the stop never completes its
 * flush, and the stop waited out its whole grace period for it (20 s by default). Streams are the
 * registry's to end, and it does so before the server stops; here a request counts until its
 * response is written and flushed, and a stream (a response still suspended when Jersey returns)
 * only while Jersey serves it.
 */
final class InFlightRequests extends FrontHandler {
    private final Object lock = new Object();
    private int inFlight; // guarded by lock

    private InFlightRequests(HttpHandler next) {
        super(next);
    }

    /**
     * Puts itself in front of the server's one handler.
     *
     * @return the counter, to wait on when the server stops
     */
    static InFlightRequests install(ServerConfiguration config) {
        return FrontHandler.install(config, InFlightRequests::new);
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        synchronized (lock) {
            inFlight++;
        }
        // Counted down once, whichever comes first: Grizzly finishing the response (the listener,
        // which may run before Jersey returns: a stream that detaches, an asynchronous response
        // completed on another thread), or Jersey returning with a stream still suspended.
        AtomicBoolean counted = new AtomicBoolean();
        Runnable answer = () -> {
            if (counted.compareAndSet(false, true)) {
                answered();
            }
        };
        request.addAfterServiceListener(r -> answer.run());
        try {
            next.service(request, response);
        } finally {
            if (isSuspended(response)) {
                answer.run(); // a stream: the registry ends it
            }
        }
    }

    /** @return false also for a response Grizzly has already finished and recycled */
    private static boolean isSuspended(Response response) {
        try {
            return response.isSuspended();
        } catch (IllegalStateException e) {
            return false; // recycled: its after-service listener has run
        }
    }

    private void answered() {
        synchronized (lock) {
            inFlight--;
            if (inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits until no request owes an answer.
     *
     * @param deadline the {@link System#nanoTime()} to give up at
     * @return the number still in flight at the deadline, 0 if none
     */
    int awaitNone(long deadline) throws InterruptedException {
        synchronized (lock) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return inFlight;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return 0;
        }
    }
}
