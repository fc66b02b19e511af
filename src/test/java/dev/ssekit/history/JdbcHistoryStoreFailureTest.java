package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.Hub;
import dev.ssekit.SseKitException;
import dev.ssekit.testsupport.ConnectionSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A database that is not there, or goes away and comes back. */
class JdbcHistoryStoreFailureTest {
    @Test
    void build_unreachableDatabaseFailsClearly() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2");
        SseKitException e = assertThrows(SseKitException.class, () -> JdbcHistoryStore.builder(nowhere).build());
        assertTrue(e.getMessage().startsWith("history database unreachable or refused the schema (SQLState 08"),
                e.getMessage());
    }

    @Test
    void publish_failsWhileTheDatabaseIsDownAndRecovers() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Switch db = new Switch(h2);
        JdbcHistoryStore store = JdbcHistoryStore.builder(db).pruneInterval(null).build();
        try (Hub topics = Hub.builder().history(store).build()) {
            String before = topics.publish(List.of("t"), Event.of("before")).id();
            db.up = false;
            HistoryStoreException e = assertThrows(HistoryStoreException.class,
                    () -> topics.publish(List.of("t"), Event.of("lost")));
            assertTrue(e.getMessage().startsWith("history database refused the append (SQLState 08001"), e.getMessage());
            db.up = true;
            String after = topics.publish(List.of("t"), Event.of("after")).id();
            List<Event> kept = store.read(java.util.Set.of("t"), before, null).events();
            assertEquals(List.of(Event.of("after").withId(after)), kept, "nothing unacknowledged was stored");
        } finally {
            store.close();
        }
    }

    @Test
    void check_failsWhileTheDatabaseIsDownAndPassesWhenItIsBack() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Switch db = new Switch(h2);
        try (JdbcHistoryStore store = JdbcHistoryStore.builder(db).pruneInterval(null).build()) {
            store.check();
            db.up = false;
            HistoryStoreException e = assertThrows(HistoryStoreException.class, store::check);
            assertEquals("history database unreachable (SQLState 08001: connection refused)", e.getMessage());
            db.up = true;
            store.check();
        }
    }

    /** A data source that can be switched off, as a database that goes away. */
    private static final class Switch extends ConnectionSource {
        private final DataSource delegate;
        volatile boolean up = true;

        Switch(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (!up) {
                throw new SQLException("connection refused", "08001");
            }
            return delegate.getConnection();
        }
    }
}
