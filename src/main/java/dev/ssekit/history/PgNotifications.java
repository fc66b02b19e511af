package dev.ssekit.history;

import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code LISTEN} and the wait for notifications on one PostgreSQL connection, through the driver's
 * {@link PGConnection} (reached by {@link Connection#unwrap}, which pools and most servers' wrappers
 * support). The only class of the library that names the PostgreSQL driver: it is loaded only on a
 * PostgreSQL database, so the driver is needed at run time only there ({@code provided} in the pom).
 */
final class PgNotifications {
    private final PGConnection pg;

    private PgNotifications(PGConnection pg) {
        this.pg = pg;
    }

    /**
     * @return the notifications of {@code c}, or null if it does not unwrap to the driver's connection
     * @throws LinkageError if the driver is not visible to this class's loader
     */
    static PgNotifications of(Connection c) {
        try {
            return c.isWrapperFor(PGConnection.class) ? new PgNotifications(c.unwrap(PGConnection.class)) : null;
        } catch (SQLException e) { // a wrapper that does not implement unwrapping
            return null;
        }
    }

    /**
     * Listens on {@code channel} for the rest of the session (in auto-commit, so at once).
     *
     * @param channel letters, digits and _ only; quoted, so its case is kept
     */
    void listen(Connection c, String channel) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN \"" + channel + "\"");
        }
    }

    /** Waits until a notification arrives or {@code millis} pass; what they say does not matter. */
    void await(long millis) throws SQLException {
        pg.getNotifications((int) Math.min(Integer.MAX_VALUE, Math.max(1, millis)));
    }
}
