package dev.ssekit.app;

import dev.ssekit.SseKitException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The hub's settings, each read from a system property or else from the environment variable of the
 * same name in upper case with dots as underscores ({@code ssekit.history.store} or
 * {@code SSEKIT_HISTORY_STORE}), as MicroProfile Config maps them.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>ssekit.history.store</td><td>memory</td><td>memory, jdbc or redis</td></tr>
 * <tr><td>ssekit.history.jdbc.datasource</td><td>(none)</td><td>JNDI name of a DataSource (in a Jakarta EE server); wins over the URL</td></tr>
 * <tr><td>ssekit.history.jdbc.url</td><td>jdbc:h2:file:./ssekit-history</td><td>JDBC URL (H2 and PostgreSQL drivers come with the embedded hub)</td></tr>
 * <tr><td>ssekit.history.jdbc.user</td><td>(none)</td><td>database user</td></tr>
 * <tr><td>ssekit.history.jdbc.password</td><td>(none)</td><td>database password</td></tr>
 * <tr><td>ssekit.history.redis.uri</td><td>redis://127.0.0.1:6379</td><td>Redis URI</td></tr>
 * <tr><td>ssekit.history.redis.prefix</td><td>ssekit:</td><td>prefix of every Redis key</td></tr>
 * </table>
 */
final class HubSettings {
    private final UnaryOperator<String> source;

    HubSettings(UnaryOperator<String> source) {
        this.source = source;
    }

    /** @return settings from system properties, then environment variables */
    static HubSettings fromSystem() {
        return new HubSettings(key -> {
            String v = System.getProperty(key);
            return v != null ? v : System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_'));
        });
    }

    private String get(String key, String fallback) {
        String v = source.apply(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /**
     * @return the history store the settings ask for, connected
     * @throws IllegalArgumentException naming the key and value when a setting is invalid
     * @throws dev.ssekit.SseKitException when the store cannot be reached
     */
    HistoryStore historyStore() {
        String kind = get("ssekit.history.store", "memory");
        switch (kind) {
            case "memory":
                return InMemoryHistoryStore.create();
            case "jdbc":
                String jndi = get("ssekit.history.jdbc.datasource", null);
                if (jndi != null) {
                    return JdbcHistoryStore.builder(lookup(jndi)).build();
                }
                String url = get("ssekit.history.jdbc.url", "jdbc:h2:file:./ssekit-history");
                if (!url.startsWith("jdbc:")) {
                    throw new IllegalArgumentException("ssekit.history.jdbc.url must be a JDBC URL, got \"" + url + "\"");
                }
                if (url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_DELAY")) {
                    // Without it H2 closes the database with its last connection and reopens it on the next.
                    url = url + ";DB_CLOSE_DELAY=-1";
                }
                return JdbcHistoryStore.builder(new UrlDataSource(url, get("ssekit.history.jdbc.user", null),
                        get("ssekit.history.jdbc.password", null))).build();
            case "redis":
                requireClass("io.lettuce.core.RedisClient",
                        "ssekit.history.store=redis needs io.lettuce:lettuce-core on the class path");
                String uri = get("ssekit.history.redis.uri", "redis://127.0.0.1:6379");
                try {
                    return RedisHistoryStore.builder(uri).keyPrefix(get("ssekit.history.redis.prefix", "ssekit:")).build();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("ssekit.history.redis.uri must be a Redis URI, got \"" + uri + "\"", e);
                }
            default:
                throw new IllegalArgumentException("ssekit.history.store must be memory, jdbc or redis, got \"" + kind + "\"");
        }
    }

    private static void requireClass(String name, String message) {
        try {
            Class.forName(name, false, HubSettings.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(message, e);
        }
    }

    private static DataSource lookup(String name) {
        Object found;
        try {
            found = new InitialContext().lookup(name);
        } catch (NamingException e) {
            throw new SseKitException("ssekit.history.jdbc.datasource: no DataSource at JNDI name \"" + name + "\" ("
                    + e.getMessage() + ")", e);
        }
        if (found instanceof DataSource ds) {
            return ds;
        }
        throw new IllegalArgumentException("ssekit.history.jdbc.datasource: JNDI name \"" + name + "\" holds a "
                + (found == null ? "null" : found.getClass().getName()) + ", not a javax.sql.DataSource");
    }

    /** A DataSource over DriverManager: enough for the embedded hub; servers bring pooled ones. */
    private record UrlDataSource(String url, String user, String password) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            return DriverManager.getConnection(url, u, p);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // DriverManager logs on its own
        }

        @Override
        public void setLoginTimeout(int seconds) {
            DriverManager.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() {
            return DriverManager.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no parent logger");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }

        @Override
        public String toString() {
            return url;
        }
    }
}
