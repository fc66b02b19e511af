package dev.ssekit.internal.servlet;

import jakarta.servlet.ServletRequest;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The client's connection below the Servlet API, where ssekit knows the container: what a cut
 * needs and the Servlet API does not offer. {@code AsyncContext.complete()} and closing the output
 * stream are graceful: the container keeps what it holds for the client until the client reads it
 * (Payara: up to several MB per client in Grizzly's async write queue, the socket open for minutes;
 * WildFly: about 200 KB in Undertow, closed after 60 to 90 s).
 *
 * <p>Reached by reflection, never compiled against (the library runs on any Jakarta EE server):
 * <ul>
 *   <li>Payara (Catalina on Grizzly): {@code RequestFacade.request} → {@code getCoyoteRequest()} →
 *       {@code getContext().getConnection()}, a Grizzly {@code Connection}: its
 *       {@code setMaxAsyncWriteQueueSize} bounds what it holds before {@code isReady()} turns false,
 *       {@code terminateSilently()} closes it dropping the queue.</li>
 *   <li>WildFly (Undertow): {@code HttpServletRequestImpl.getExchange().getConnection()}, closed.</li>
 * </ul>
 * On Undertow it also closes a completed request's output on the connection's I/O thread
 * ({@link #closeOutput}).
 * Anywhere else nothing happens and the stream ends gracefully. On Payara or WildFly, internals
 * that changed are a lost bound, not an unknown server: that is logged as a warning, once.
 */
final class ContainerConnection {
    private static final Logger LOG = Logger.getLogger(ContainerConnection.class.getName());
    /** What the container may hold for one client before it says the client cannot take more. */
    static final int MAX_PENDING = 64 * 1024;
    private static final ContainerConnection UNKNOWN = new ContainerConnection(null, null, Kind.UNKNOWN);

    private enum Kind { GRIZZLY, UNDERTOW, UNKNOWN }

    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    private final Object connection;
    private final Object exchange; // Undertow's HttpServerExchange, else null
    private final Kind kind;

    private ContainerConnection(Object connection, Object exchange, Kind kind) {
        this.connection = connection;
        this.exchange = exchange;
        this.kind = kind;
    }

    /** @return the connection of {@code request}, or one that does nothing where it is unknown */
    static ContainerConnection of(ServletRequest request) {
        String type = request.getClass().getName();
        try {
            if (type.startsWith("org.apache.catalina.")) {
                Object catalina = field(request, "request");
                Object grizzly = call(catalina, "getCoyoteRequest");
                return new ContainerConnection(call(call(grizzly, "getContext"), "getConnection"), null, Kind.GRIZZLY);
            }
            if (type.startsWith("io.undertow.")) {
                Object exchange = call(request, "getExchange");
                return new ContainerConnection(call(exchange, "getConnection"), exchange, Kind.UNDERTOW);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            lost("reach the client's connection below " + type, e);
        }
        return UNKNOWN;
    }

    /** Bounds what the container queues for the client before {@code isReady()} turns false. */
    void limitPending(int bytes) {
        if (kind == Kind.GRIZZLY) {
            try {
                Method m = connection.getClass().getMethod("setMaxAsyncWriteQueueSize", int.class);
                m.setAccessible(true);
                m.invoke(connection, bytes);
            } catch (ReflectiveOperationException | RuntimeException e) {
                lost("bound Grizzly's write queue", e);
            }
        }
    }

    /**
     * Closes the connection, dropping what the container holds for the client. On Undertow
     * {@code out}, the response's output in async mode, is closed first, on the connection's I/O
     * thread, and the connection right after it there: a close of the output that Undertow itself
     * queues later then finds it closed, where on the closed connection it would fail and log the
     * failure at ERROR (see {@link #closeOutput}).
     *
     * @param out the response's output in async mode, or null
     * @return true if the connection was closed at once (on Undertow: handed to its I/O thread)
     */
    boolean close(java.io.Closeable out) {
        try {
            switch (kind) {
                case GRIZZLY -> call(connection, "terminateSilently");
                case UNDERTOW -> onIoThread(() -> {
                    if (out != null) {
                        closeQuietly(out);
                    }
                    closeQuietly((java.io.Closeable) connection);
                });
                default -> {
                    return false;
                }
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: closing the client's connection failed", e);
            return false;
        }
    }

    /**
     * Closes {@code out}, a response's output in async mode, on the connection's I/O thread, ahead of
     * any close the container queues there after this call, and logs a failure at FINE: on
     * Undertow, where the container's own close of a completed request's output on that thread logs
     * its failure on a closed connection at ERROR ({@link UndertowResponse} says why). Nothing waits
     * for the I/O thread: the caller may hold a lock the thread's callbacks need. Elsewhere
     * {@code out} is left to the container.
     */
    void closeOutput(java.io.Closeable out) {
        if (kind != Kind.UNDERTOW) {
            return;
        }
        try {
            onIoThread(() -> closeQuietly(out));
        } catch (ReflectiveOperationException | RuntimeException e) {
            lost("close a response's output on Undertow's I/O thread", e);
        }
    }

    /**
     * Runs {@code write}, a non-blocking write through the JAX-RS sink, on Undertow's I/O thread of
     * the connection (see {@link dev.ssekit.internal.conn.NonBlockingOutput#sinkWrite}); elsewhere on
     * the calling thread.
     */
    java.util.concurrent.CompletionStage<?> sinkWrite(
            java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> write) {
        if (kind != Kind.UNDERTOW) {
            return write.get();
        }
        java.util.concurrent.CompletableFuture<Object> written = new java.util.concurrent.CompletableFuture<>();
        Runnable task = () -> {
            try {
                write.get().whenComplete((ok, error) -> {
                    if (error != null) {
                        written.completeExceptionally(error);
                    } else {
                        written.complete(ok);
                    }
                });
            } catch (RuntimeException e) {
                written.completeExceptionally(e);
            }
        };
        try {
            onIoThread(task);
        } catch (ReflectiveOperationException | RuntimeException e) {
            lost("write on Undertow's I/O thread", e);
            return write.get();
        }
        return written;
    }

    /**
     * Runs {@code writes}, direct writes to the response's output in async mode, on Undertow's I/O
     * thread of the connection (at once if this is it); elsewhere on the calling thread. On Undertow a
     * write that fails on another thread closes the connection, and Undertow then closes the output in
     * a task of the I/O thread, which fails on what the output still holds (a chunk written in part)
     * and logs {@code UT005088} at ERROR; a write that fails on the I/O thread reports its failure to
     * the caller, and nothing is logged.
     */
    void onWriteThread(Runnable writes) {
        if (kind != Kind.UNDERTOW) {
            writes.run();
            return;
        }
        try {
            onIoThread(writes);
        } catch (ReflectiveOperationException | RuntimeException e) {
            lost("write on Undertow's I/O thread", e);
            writes.run();
        }
    }

    /**
     * Runs {@code task} on Undertow's I/O thread of the connection: at once if this is it, else
     * queued; on this thread if the I/O thread takes no more tasks (the server is stopping).
     */
    private void onIoThread(Runnable task) throws ReflectiveOperationException {
        if ((Boolean) call(exchange, "isInIoThread")) {
            task.run();
            return;
        }
        // XNIO's I/O thread is an Executor whose tasks run in order, on that thread.
        java.util.concurrent.Executor ioThread = (java.util.concurrent.Executor) call(exchange, "getIoThread");
        try {
            ioThread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: closing " + c + " failed; the client is gone", e);
        }
    }

    /** A known container whose internals changed: the bounds that needed them are not in force. */
    private static void lost(String what, Exception e) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "ssekit: could not " + what + " (this server's internals changed?): a cut now ends "
                    + "a stream gracefully, and what the container holds for a client that stopped reading is not "
                    + "bounded by ssekit, and on WildFly Undertow may log an error for a client that leaves; logged once",
                    e);
        } else {
            LOG.log(Level.FINE, "ssekit: could not " + what, e);
        }
    }

    private static Object call(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Method m = c.getDeclaredMethod(name);
                m.setAccessible(true);
                return m.invoke(target);
            } catch (NoSuchMethodException e) {
                // declared higher up, or public through an interface
            }
        }
        Method m = target.getClass().getMethod(name);
        m.setAccessible(true);
        return m.invoke(target);
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(target.getClass().getName() + "." + name);
    }

    @Override
    public String toString() {
        return "ContainerConnection{" + kind + "}";
    }
}
