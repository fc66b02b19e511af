package dev.ssekit.internal.conn;

import jakarta.enterprise.inject.spi.CDI;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The address of the client of the current request, for subscriber events and logs. JAX-RS has no
 * portable way to it. ssekit's servlet transport knows the request it serves ({@link #register});
 * elsewhere a Jakarta EE server's CDI offers the {@code HttpServletRequest}, at a price: on WildFly
 * the request-scoped bean instance (Weld's contextual instance and creational context, some 150
 * bytes) then lives as long as the request, that is as long as an asynchronous stream. Where there
 * are no servlets (the embedded hub), the address is unknown.
 */
public final class ClientAddress {
    private static final Logger LOG = Logger.getLogger(ClientAddress.class.getName());
    private static final boolean SERVLETS = present("jakarta.servlet.http.HttpServletRequest");
    private static final List<Supplier<String>> SOURCES = new CopyOnWriteArrayList<>();

    private ClientAddress() {
    }

    private static boolean present(String name) {
        try {
            Class.forName(name, false, ClientAddress.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Adds a source of addresses, asked first.
     *
     * @param source called on the thread that serves a request; returns its client's address, or
     *               null where it serves none
     * @return what removes the source again
     */
    public static Runnable register(Supplier<String> source) {
        SOURCES.add(source);
        return () -> SOURCES.remove(source);
    }

    /** @return the client's address, or null when it cannot be known here */
    public static String current() {
        for (Supplier<String> source : SOURCES) {
            String address = source.get();
            if (address != null) {
                return address;
            }
        }
        if (!SERVLETS) {
            return null;
        }
        try {
            return Servlet.remoteAddress();
        } catch (RuntimeException | LinkageError e) {
            // No CDI container here (CDI.current() refuses), or no request scope: unknown.
            LOG.log(Level.FINE, "ssekit: the client's address is unknown", e);
            return null;
        }
    }

    /** Touches the servlet API only when it is there. */
    private static final class Servlet {
        static String remoteAddress() {
            var request = CDI.current().select(jakarta.servlet.http.HttpServletRequest.class);
            return request.isResolvable() ? request.get().getRemoteAddr() : null;
        }
    }
}
