package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.ConnectionSource;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A server's pool may hand a connection on as the store left it: every call gives back what it
 * changed (the replay read's {@code REPEATABLE_READ}, auto-commit, the network timeout).
 */
class JdbcConnectionStateTest {
    /** What a borrower sees of a connection's session state. */
    private record State(int isolation, boolean autoCommit, boolean readOnly, int networkTimeout) {
        static State of(Connection c) throws SQLException {
            return new State(c.getTransactionIsolation(), c.getAutoCommit(), c.isReadOnly(), networkTimeout(c));
        }

        private static int networkTimeout(Connection c) {
            try {
                return c.getNetworkTimeout();
            } catch (SQLException | UnsupportedOperationException e) {
                return -1; // the driver has none
            }
        }
    }

    /** Hands out one physical connection again and again, as a pool does; closing it returns it. */
    private static final class OneConnection extends ConnectionSource {
        private final Connection physical;

        OneConnection(DataSource real) throws SQLException {
            this.physical = real.getConnection();
        }

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null; // back to the "pool"
                        }
                        try {
                            return method.invoke(physical, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private static void assertStateKept(DataSource real, String prefix) throws Exception {
        OneConnection pool = new OneConnection(real);
        dropTables(pool.physical, prefix); // what a failed run left
        try (JdbcHistoryStore store = JdbcHistoryStore.builder(pool).tablePrefix(prefix).pruneInterval(null).build()) {
            State before = State.of(pool.physical);
            String id = store.append(List.of(new HistoryStore.Entry(Set.of("t"), Event.of("one")))).get(0).id()
                    .orElseThrow();
            assertEquals(before, State.of(pool.physical), "after an append");
            assertEquals(1, store.read(Set.of("t"), HistoryStore.EARLIEST, null).events().size());
            assertEquals(before, State.of(pool.physical), "after a replay read");
            assertEquals(1, store.readMatching(topics -> true, HistoryStore.EARLIEST, id).events().size());
            assertEquals(before, State.of(pool.physical), "after a replay read by matcher");
            store.prune();
            assertEquals(before, State.of(pool.physical), "after a prune");
        } finally {
            dropTables(pool.physical, prefix);
            pool.physical.close();
        }
    }

    private static void dropTables(Connection c, String prefix) throws SQLException {
        c.setAutoCommit(true); // a store that left it off would otherwise roll the drops back
        try (Statement s = c.createStatement()) {
            for (String table : new String[] {"event_topic", "event", "topic", "meta"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
    }

    @Test
    void read_postgres_givesBackTheConnectionAsItWasBorrowed() throws Exception {
        Services.requirePostgres();
        PGSimpleDataSource db = Services.postgres();
        assertStateKept(db, "ssekit_state_");
    }

    @Test
    void read_h2_givesBackTheConnectionAsItWasBorrowed() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        assertStateKept(h2, "ssekit_state_");
    }

    @Test
    void networkTimeout_aDriverWithoutOne_warnsOnceThatTheBoundIsNotInForce() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        // As a JDBC driver without network timeouts answers (the JDBC 4.1 contract).
        ConnectionSource noTimeout = new ConnectionSource() {
            @Override
            public Connection getConnection() throws SQLException {
                Connection real = h2.getConnection();
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().equals("setNetworkTimeout")) {
                                throw new java.sql.SQLFeatureNotSupportedException("no network timeout");
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
        List<java.util.logging.LogRecord> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel() == java.util.logging.Level.WARNING) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(JdbcHistoryStore.class.getName());
        logger.addHandler(capture);
        try (JdbcHistoryStore store = JdbcHistoryStore.builder(noTimeout).pruneInterval(null).build()) {
            for (int i = 0; i < 3; i++) {
                store.append(List.of(new HistoryStore.Entry(Set.of("t"), Event.of("e" + i))));
            }
            assertEquals(3, store.read(Set.of("t"), HistoryStore.EARLIEST, null).events().size());
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, warnings.size(), "one warning, not one per call");
        String message = warnings.get(0).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(message.startsWith("ssekit: the history database's driver (H2 JDBC "
                + "Driver) has no network timeout: ssekit.history.jdbc.network.timeout is not in force"), message);
    }
}
