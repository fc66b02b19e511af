package dev.ssekit.internal.servlet;

import dev.ssekit.internal.conn.NonBlockingOutput;
import dev.ssekit.internal.conn.Served;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.util.List;

/**
 * The Servlet API's non-blocking output for one stream: the response's {@code ServletOutputStream}
 * in async mode ({@code setWriteListener}, {@code isReady}), reached through the request's
 * {@code AsyncContext}, which the JAX-RS runtime started for its {@code SseEventSink}.
 *
 * <p>When the runtime is done with the request: when the JAX-RS servlet has returned it to the
 * container ({@link ServingFilter}'s {@code chain.doFilter} returned). Jersey queues what a sink is
 * sent before the resource method returns and writes it, after the head, on the request's thread;
 * a direct write before that would overtake both. The {@code AsyncContext} is captured right then,
 * on that thread: the container may recycle the request object once the stream ends.
 *
 * <p>A cut closes the client's connection through the container's own connection object
 * ({@link ContainerConnection}), as no Servlet API call drops what the container still holds.
 */
final class ServletOutput implements NonBlockingOutput, WriteListener, AsyncListener {
    private static final ThreadLocal<Serving> SERVING = new ThreadLocal<>();

    private final Serving serving;
    private Listener listener;
    private ServletOutputStream out;
    private ContainerConnection connection; // found at the handoff, for the cut

    /** A request while the JAX-RS runtime serves it. */
    private static final class Serving {
        final ServletRequest request;
        volatile AsyncContext async; // set once the runtime has returned the request, if async
        final Served served = new Served();
        volatile ServletOutput output; // the stream's output, if a stream opened

        Serving(ServletRequest request) {
            this.request = request;
        }
    }

    /** What {@link #serve} runs: the filter chain. */
    @FunctionalInterface
    interface Chain {
        void run() throws IOException, ServletException;
    }

    private ServletOutput(Serving serving) {
        this.serving = serving;
    }

    /** Runs {@code chain} for {@code request}, whose streams then get this output. */
    static void serve(ServletRequest request, Chain chain) throws IOException, ServletException {
        Serving s = new Serving(request);
        Serving outer = SERVING.get();
        SERVING.set(s);
        try {
            chain.run();
        } finally {
            if (outer == null) {
                SERVING.remove();
            } else {
                SERVING.set(outer);
            }
            ServletOutput output = s.output;
            if (output != null && request.isAsyncStarted()) {
                AsyncContext async = request.getAsyncContext();
                // Only until the dispatch returns may a listener be added.
                async.addListener(output);
                s.async = async;
            }
            s.served.mark();
        }
    }

    /** @return the output of the request this thread serves, or null outside a request */
    static NonBlockingOutput current() {
        Serving s = SERVING.get();
        if (s == null || s.output != null) {
            return null; // one stream per request
        }
        ServletOutput output = new ServletOutput(s);
        s.output = output;
        return output;
    }

    /** @return the client's address of the request this thread serves, or null outside a request */
    static String currentAddress() {
        Serving s = SERVING.get();
        return s == null ? null : s.request.getRemoteAddr();
    }

    @Override
    public void whenServed(Runnable served) {
        serving.served.then(served);
    }

    /**
     * @throws IllegalStateException if the request is not asynchronous (the JAX-RS runtime blocked
     *                               its thread instead), or the runtime itself listens to the output
     *                               (RESTEasy, once its sink has written asynchronously): the stream
     *                               then stays on the sink
     */
    @Override
    public void listen(Listener value) throws IOException {
        AsyncContext async = serving.async;
        if (async == null) {
            throw new IllegalStateException("the request is not asynchronous");
        }
        ServletOutputStream stream = async.getResponse().getOutputStream();
        ContainerConnection found = ContainerConnection.of(async.getRequest());
        found.limitPending(ContainerConnection.MAX_PENDING);
        this.connection = found;
        this.out = stream;
        this.listener = value;
        try {
            stream.setWriteListener(this); // last: the container may call onWritePossible at once
        } catch (RuntimeException e) {
            this.listener = null;
            throw e;
        }
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public void write(List<byte[]> frames) throws IOException {
        // One write only: the Servlet API allows the next only once isReady() says so again. The
        // container copies into its own buffer anyway; joining costs one copy more for a batch.
        if (frames.size() == 1) {
            out.write(frames.get(0));
            return;
        }
        int length = 0;
        for (byte[] f : frames) {
            length += f.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, joined, at, f.length);
            at += f.length;
        }
        out.write(joined);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void onWriteThread(Runnable writes) {
        ContainerConnection c = connection;
        if (c == null) {
            writes.run();
        } else {
            c.onWriteThread(writes);
        }
    }

    @Override
    public java.util.concurrent.CompletionStage<?> sinkWrite(
            java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> write) {
        ContainerConnection c = connection;
        return c == null ? write.get() : c.sinkWrite(write);
    }

    @Override
    public boolean terminate() {
        ContainerConnection c = connection;
        return c != null && c.close(out);
    }

    @Override
    public void onWritePossible() {
        Listener l = listener;
        if (l != null) {
            l.onWritable();
        }
    }

    @Override
    public void onError(Throwable t) {
        Listener l = listener;
        if (l != null) {
            l.onError(t);
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        onError(event.getThrowable() != null ? event.getThrowable() : new IOException("the request failed"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        onError(new IOException("the request timed out"));
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // Ended by the stream itself, or by the container: a later write fails and says so.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted by ssekit.
    }

    @Override
    public String toString() {
        return "ServletOutput{" + serving.request.getClass().getSimpleName() + "}";
    }
}
