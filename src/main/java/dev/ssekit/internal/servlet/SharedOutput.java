package dev.ssekit.internal.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;

/**
 * The response's output, shared between the JAX-RS runtime and ssekit on a container where the
 * runtime listens to it itself: RESTEasy sets its own {@code WriteListener} at its first
 * asynchronous write, and Undertow refuses a second ({@code UT010036: Listener has already been
 * set}). Here the container has one listener, this stream, which passes its calls on to whoever
 * owns the output now: the runtime while it writes the head, ssekit from the hand-off until the
 * stream ends, then the runtime again, which ends the response.
 *
 * <p>The owner changes only between writes: ssekit takes the output once every write through the
 * sink has completed, and gives it back once every write of its own has.
 */
final class SharedOutput extends ServletOutputStream implements WriteListener {
    private final ServletOutputStream out;
    private final Object lock = new Object();
    private WriteListener owner; // guarded by lock
    private WriteListener previous; // guarded by lock: the owner before the last setWriteListener
    private boolean registered; // guarded by lock

    private SharedOutput(ServletOutputStream out) {
        this.out = out;
    }

    /** The response whose output is shared; everything else as the container's. */
    static final class Response extends HttpServletResponseWrapper {
        private SharedOutput output;

        Response(HttpServletResponse response) {
            super(response);
        }

        @Override
        public synchronized ServletOutputStream getOutputStream() throws IOException {
            if (output == null) {
                output = new SharedOutput(super.getOutputStream());
            }
            return output;
        }
    }

    /** Makes {@code listener} the owner; the one before it gets the output back on {@link #restore()}. */
    @Override
    public void setWriteListener(WriteListener listener) {
        boolean register;
        synchronized (lock) {
            previous = owner;
            owner = listener;
            register = !registered;
            registered = true;
        }
        if (register) {
            out.setWriteListener(this);
        }
    }

    /** Gives the output back to the owner before the last {@link #setWriteListener}. */
    void restore() {
        synchronized (lock) {
            owner = previous;
            previous = null;
        }
    }

    private WriteListener owner() {
        synchronized (lock) {
            return owner;
        }
    }

    @Override
    public void onWritePossible() throws IOException {
        WriteListener o = owner();
        if (o != null) {
            o.onWritePossible();
        }
    }

    @Override
    public void onError(Throwable t) {
        WriteListener o = owner();
        if (o != null) {
            o.onError(t);
        }
    }

    @Override
    public boolean isReady() {
        return out.isReady();
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
