package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.testsupport.ConnectionSource;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An outbox backlog larger than one relay batch (1,000 rows), whose second batch fails: the first
 * batch, committed, reaches live subscribers at once, and the rest with a later relay, each event
 * once and in order, on H2 and PostgreSQL.
 */
class OutboxRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BACKLOG = 1500;
    private final String prefix = Services.tablePrefix("relay_");

    @Test
    void relay_h2SecondBatchFails_theFirstIsHandedOnAndTheRestFollowsOnceInOrder() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + prefix + ";DB_CLOSE_DELAY=-1");
        assertBacklogRelayedOnceInOrder(h2);
    }

    @Test
    void relay_postgresSecondBatchFails_theFirstIsHandedOnAndTheRestFollowsOnceInOrder() throws Exception {
        Services.requirePostgres();
        PGSimpleDataSource pg = Services.postgres();
        try {
            assertBacklogRelayedOnceInOrder(pg);
        } finally {
            Services.dropStoreTables(prefix);
        }
    }

    private void assertBacklogRelayedOnceInOrder(DataSource database) throws Exception {
        SecondRelayReadFails failing = new SecondRelayReadFails(database, prefix + "outbox ORDER BY pos");
        try (HistoryStore store = JdbcHistoryStore.builder(failing).tablePrefix(prefix).joinsTransactions(true)
                .pruneInterval(null).build();
             Hub topics = Hub.builder().history(store).build()) {
            FakeSse.Sink sink = new FakeSse.Sink();
            topics.subscribe(topics.open(sink), List.of("orders"), null);
            failing.armed.set(2); // the second batch's read of the outbox fails
            List<String> ids = commitBacklog(database);

            // The periodic relay (every 5 s) moves the first batch, fails on the second, and the
            // next one moves the rest.
            await().atMost(WAIT).until(() -> sink.ids().contains(ids.get(BACKLOG - 1)));
            assertEquals(ids, sink.ids(), "live: every committed event once, in commit order");
            assertEquals(ids, store.read(Set.of("orders"), HistoryStore.EARLIEST, null).events().stream()
                    .map(e -> e.id().orElseThrow()).toList(), "history: each once");
            assertEquals(0, failing.armed.get(), "the second batch did fail");
        }
    }

    /** Commits a backlog to the outbox in one transaction, as a node that crashed before relaying leaves it. */
    private List<String> commitBacklog(DataSource database) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + prefix + "outbox (id, topics, type, "
                    + "retry_ms, data) VALUES (?, 'orders', NULL, NULL, ?)")) {
                for (int i = 0; i < BACKLOG; i++) {
                    String id = "order-" + i;
                    ids.add(id);
                    s.setString(1, id);
                    s.setString(2, "order " + i);
                    s.addBatch();
                }
                s.executeBatch();
            }
            c.commit();
        }
        return ids;
    }

    /** Fails the n-th ({@link #armed}) preparing of a statement that contains a marker, once. */
    private static final class SecondRelayReadFails extends ConnectionSource {
        final AtomicInteger armed = new AtomicInteger();
        private final DataSource delegate;
        private final String marker;

        SecondRelayReadFails(DataSource delegate, String marker) {
            this.delegate = delegate;
            this.marker = marker;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement") && args[0] instanceof String sql
                                && sql.contains(marker) && armed.get() > 0 && armed.decrementAndGet() == 0) {
                            throw new SQLException("test: the database went away", "08006");
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
