package dev.ssekit.internal.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.util.Locale;

/**
 * The response the JAX-RS runtime gets on Undertow (WildFly), so that a stream whose client has
 * left ends with nothing logged above DEBUG.
 *
 * <p>Why: when a write to a gone client fails, or a connection is closed, on a thread other than
 * the connection's I/O thread (RESTEasy's sink writes on ssekit's writer threads), Undertow ends
 * the exchange by closing the response's output, and in async mode that close runs later as a task
 * of the I/O thread. If the output still holds bytes it could not write, that task fails on the
 * closed connection and Undertow logs it at ERROR with a stack trace ({@code UT005088: Failed to
 * execute ServletOutputStream.closeAsync() on IO thread: ClosedChannelException}): one per client
 * that leaves. Two things prevent it:
 * <ul>
 *   <li>An event stream's output gets no buffer of Undertow's ({@code setBufferSize(0)}): each
 *       write goes to the connection at once, as a stream flushes every event anyway, so a failed
 *       write leaves nothing behind for that close to write.</li>
 *   <li>Where the request completes on another thread, its output is closed first, on the I/O
 *       thread ({@link #onComplete}, {@link ContainerConnection#closeOutput}), whose tasks run in
 *       order: the failure comes back to ssekit, and Undertow's own close then finds the output
 *       closed. A cut closes the output and the connection on the I/O thread too
 *       ({@link ContainerConnection#close}).</li>
 * </ul>
 * Found by reading Undertow 2.3 ({@code ServletOutputStreamImpl.closeAsync}, {@code
 * HttpResponseConduit.write}, whose failure closes the connection, whose close listener ends the
 * exchange); {@code StalledClientsIT} checks the log on WildFly.
 */
final class UndertowResponse extends HttpServletResponseWrapper implements AsyncListener {
    private final ServletRequest request;
    private Output output; // guarded by this

    UndertowResponse(ServletRequest request, HttpServletResponse response) {
        super(response);
        this.request = request;
    }

    @Override
    public synchronized ServletOutputStream getOutputStream() throws IOException {
        if (output == null) {
            String type = getContentType();
            if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                // Before the container's output exists: it takes the size when it is created.
                setBufferSize(0);
            }
            output = new Output(super.getOutputStream());
        }
        return output;
    }

    /** The request completes: Undertow closes the output next, on the I/O thread if not on it. */
    @Override
    public void onComplete(AsyncEvent event) {
        Output o;
        synchronized (this) {
            o = output;
        }
        if (o != null && o.async) {
            // Found only now: reflection that most requests need not pay for.
            ContainerConnection.of(request).closeOutput(o.out);
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        // Undertow completes the request next, and onComplete follows.
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // Undertow completes the request next, and onComplete follows.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted here.
    }

    /**
     * The response's output, noting whether it is in async mode: only then may it be closed on the
     * I/O thread (a blocking close there would block every connection of that thread).
     */
    static final class Output extends ServletOutputStream {
        final ServletOutputStream out;
        volatile boolean async;

        Output(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
            async = true;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
