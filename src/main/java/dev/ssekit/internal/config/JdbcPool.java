package dev.ssekit.internal.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;

/**
 * The connection pool behind {@code ssekit.history.jdbc.url}: HikariCP, so that a publish or a replay
 * borrows an open connection instead of opening one (TCP, login) per call. Loaded only after
 * {@link SseKitConfig} checked that HikariCP is on the class path.
 */
final class JdbcPool {
    /** How long a store call waits for a free connection, or for an unreachable database, before it fails. */
    static final long CONNECTION_TIMEOUT_MS = 5_000;

    private JdbcPool() {
    }

    /**
     * @return a started pool; the caller closes it
     * @throws com.zaxxer.hikari.pool.HikariPool.PoolInitializationException if the database cannot be reached
     */
    static DataSource open(String url, String user, String password, int size, java.time.Duration idleInTransaction) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("ssekit-history");
        c.setJdbcUrl(url);
        if (user != null) {
            c.setUsername(user);
        }
        if (password != null) {
            c.setPassword(password);
        }
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(Math.min(size, 2)); // a quiet hub holds few connections; Hikari adds them on demand
        c.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        c.setValidationTimeout(Math.min(CONNECTION_TIMEOUT_MS, 3_000));
        c.setInitializationFailTimeout(CONNECTION_TIMEOUT_MS);
        if (url.startsWith("jdbc:postgresql:")) {
            // A node whose connection went half-open while its append held the sequence row's lock
            // would hold it until TCP gives up (hours), stopping every node's publishes: PostgreSQL
            // ends such a session, and its lock, once it sits idle in its transaction this long.
            c.setConnectionInitSql("SET idle_in_transaction_session_timeout = " + idleInTransaction.toMillis());
        }
        return new HikariDataSource(c);
    }
}
