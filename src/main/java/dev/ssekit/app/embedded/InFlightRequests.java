package dev.ssekit.app.embedded;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.util.concurrent.TimeUnit;

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
        try {
            next.service(request, response);
        } finally {
            if (response.isSuspended()) {
                answered(); // a stream: the registry ends it
            } else {
                // Called once Grizzly has finished the response and handed its last bytes on.
                request.addAfterServiceListener(r -> answered());
            }
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
