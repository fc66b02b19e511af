package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retention sweep on PostgreSQL: one node sweeps at a time (the others skip their turn while
 * its advisory lock is held), and a sweep in rounds still drops exactly what retention no longer
 * keeps.
 */
class JdbcSweepTest {
    private final String prefix = Services.tablePrefix("sweep_");

    @Test
    void prune_postgresWhileAnotherNodeSweeps_skipsItsTurnAndSweepsOnceItIsFree() throws Exception {
        Services.requirePostgres();
        PGSimpleDataSource pg = Services.postgres();
        try (JdbcHistoryStore store = JdbcHistoryStore.builder(pg).tablePrefix(prefix).maxEventsPerTopic(2)
                .pruneInterval(null).build();
             Connection otherNode = DriverManager.getConnection(Services.POSTGRES_URL, Services.POSTGRES_USER, null)) {
            for (int i = 0; i < 5; i++) {
                store.append(Set.of("t"), Event.of("e" + i));
            }
            assertTrue(advisory(otherNode, "pg_try_advisory_lock"), "the other node sweeps");
            assertEquals(0, store.prune(), "this node skips its turn");
            assertEquals(List.of("e0", "e1", "e2", "e3", "e4"), data(store));

            assertTrue(advisory(otherNode, "pg_advisory_unlock"));
            assertEquals(3, store.prune());
            assertEquals(List.of("e3", "e4"), data(store));
            assertTrue(advisory(otherNode, "pg_try_advisory_lock"), "the sweep gave its lock back");
        } finally {
            Services.dropStoreTables(prefix);
        }
    }

    /** Calls a PostgreSQL advisory-lock function on the sweep's key, as the store names it. */
    private boolean advisory(Connection c, String function) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(hashtext(?))")) {
            s.setString(1, prefix + "sweep");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static List<String> data(HistoryStore store) {
        return store.read(Set.of("t"), HistoryStore.EARLIEST, null).events().stream().map(Event::data).toList();
    }
}
