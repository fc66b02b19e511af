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
 * Anywhere else nothing happens and the stream ends gracefully. On Payara or WildFly, internals
 * that changed are a lost bound, not an unknown server: that is logged as a warning, once.
 */
final class ContainerConnection {
    private static final Logger LOG = Logger.getLogger(ContainerConnection.class.getName());
    /** What the container may hold for one client before it says the client cannot take more. */
    static final int MAX_PENDING = 64 * 1024;
    private static final ContainerConnection UNKNOWN = new ContainerConnection(null, Kind.UNKNOWN);

    private enum Kind { GRIZZLY, UNDERTOW, UNKNOWN }

    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    private final Object connection;
    private final Kind kind;

    private ContainerConnection(Object connection, Kind kind) {
        this.connection = connection;
        this.kind = kind;
    }

    /** @return the connection of {@code request}, or one that does nothing where it is unknown */
    static ContainerConnection of(ServletRequest request) {
        String type = request.getClass().getName();
        try {
            if (type.startsWith("org.apache.catalina.")) {
                Object catalina = field(request, "request");
                Object grizzly = call(catalina, "getCoyoteRequest");
                return new ContainerConnection(call(call(grizzly, "getContext"), "getConnection"), Kind.GRIZZLY);
            }
            if (type.startsWith("io.undertow.")) {
                return new ContainerConnection(call(call(request, "getExchange"), "getConnection"), Kind.UNDERTOW);
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

    /** @return true if the connection was closed at once, dropping what the container held */
    boolean close() {
        try {
            switch (kind) {
                case GRIZZLY -> call(connection, "terminateSilently");
                case UNDERTOW -> ((java.io.Closeable) connection).close();
                default -> {
                    return false;
                }
            }
            return true;
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: closing the client's connection failed", e);
            return false;
        }
    }

    /** A known container whose internals changed: the bounds that needed them are not in force. */
    private static void lost(String what, Exception e) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "ssekit: could not " + what + " (this server's internals changed?): a cut now ends "
                    + "a stream gracefully, and what the container holds for a client that stopped reading is not "
                    + "bounded by ssekit; logged once", e);
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
