package dev.ssekit.internal.conn;

import jakarta.enterprise.inject.spi.CDI;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The address of the client of the current request, for subscriber events and logs. JAX-RS has no
 * portable way to it; a Jakarta EE server's CDI offers the {@code HttpServletRequest}. Where there
 * are no servlets (the embedded hub), the address is unknown.
 */
public final class ClientAddress {
    private static final Logger LOG = Logger.getLogger(ClientAddress.class.getName());
    private static final boolean SERVLETS = present("jakarta.servlet.http.HttpServletRequest");

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

    /** @return the client's address, or null when it cannot be known here */
    public static String current() {
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
