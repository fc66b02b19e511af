package dev.ssekit.internal.servlet;

import dev.ssekit.internal.wire.FramedEvent;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A stream's sink straight on the servlet response, for a request served by a servlet filter
 * rather than a JAX-RS resource: no JAX-RS request state is kept for the stream. Like a JAX-RS sink,
 * it holds what it is sent until the response's head is due ({@link #start}): the code that opens the
 * stream sets the head's headers after the subscription (its replay start), and the stream's first
 * write must not commit the response before that. Its writes block; the connection hands the stream
 * off to the request's non-blocking output ({@link ServletOutput}) once the filter has returned, as
 * it does a JAX-RS sink's. Writes ssekit's own events only.
 */
public final class ServletSink implements SseEventSink {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Object lock = new Object();
    // Guarded by lock.
    private List<Held> held = new ArrayList<>(1); // null once started
    private ServletOutputStream out;
    private AsyncContext async;
    private boolean ended; // close() or abort() ran
    private boolean failed; // a write failed: nothing more is written, and close() still completes the request

    private record Held(FramedEvent event, CompletableFuture<Void> written) {
    }

    /**
     * @param request  the request, as the filter that serves it received it
     * @param response the response, as the filter received it (a wrapper stays in place for the stream)
     */
    public ServletSink(HttpServletRequest request, HttpServletResponse response) {
        this.request = request;
        this.response = response;
    }

    /**
     * Makes the request asynchronous, with no timeout, and writes what the sink was sent so far after
     * the response's head, as its status and headers are now.
     *
     * @throws IOException if the client cannot take the head
     */
    public void start() throws IOException {
        List<Held> first;
        Exception failure = null;
        synchronized (lock) {
            if (ended || held == null) {
                return;
            }
            first = held;
            held = null;
            try {
                async = request.startAsync(request, response);
                async.setTimeout(0);
                out = response.getOutputStream();
                for (Held h : first) {
                    h.event.writeFrame(out);
                }
                out.flush();
            } catch (IOException | RuntimeException e) {
                // The client left before the head, or the container refused the async request: the
                // held writes fail, so the connection ends (and close() completes what started).
                failure = e;
                failed = true;
            }
        }
        // Outside the lock: the connection's next write may follow at once, on this thread.
        for (Held h : first) {
            if (failure == null) {
                h.written.complete(null);
            } else {
                h.written.completeExceptionally(failure);
            }
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
    }

    /** Ends a sink that never started (the request was refused): what it holds fails, nothing is written. */
    public void abort() {
        List<Held> dropped;
        synchronized (lock) {
            ended = true;
            dropped = held;
            held = null;
        }
        fail(dropped);
    }

    @Override
    public boolean isClosed() {
        synchronized (lock) {
            return ended || failed;
        }
    }

    @Override
    public CompletionStage<?> send(OutboundSseEvent event) {
        if (!(event instanceof FramedEvent framed)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "ssekit's servlet sink writes ssekit's own events only, got " + event.getClass().getName()));
        }
        ServletOutputStream started;
        synchronized (lock) {
            if (ended || failed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the sink is closed"));
            }
            if (held != null) {
                CompletableFuture<Void> written = new CompletableFuture<>();
                held.add(new Held(framed, written));
                return written;
            }
            started = out;
        }
        // Outside the lock, as it may block on the client: a close must not wait for it. The
        // connection sends one event at a time, and start() has written what it held by now.
        try {
            framed.writeFrame(started);
            started.flush();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            synchronized (lock) {
                failed = true;
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Completes the response: the container finishes the stream once what it holds is written. Also
     * after a failed write, so that the request the container holds for a client that left is ended.
     */
    @Override
    public void close() {
        List<Held> dropped;
        AsyncContext started;
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            dropped = held;
            held = null;
            started = async;
        }
        fail(dropped);
        if (started != null) {
            try {
                started.complete();
            } catch (IllegalStateException e) {
                // The container ended the request itself (its client is gone): nothing is left to end.
            }
        }
    }

    private static void fail(List<Held> dropped) {
        if (dropped != null) {
            IllegalStateException e = new IllegalStateException("the sink closed before the stream started");
            dropped.forEach(h -> h.written.completeExceptionally(e));
        }
    }

    @Override
    public String toString() {
        return "ServletSink{" + request.getClass().getSimpleName() + "}";
    }
}
