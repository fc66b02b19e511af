package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nodes whose clocks are a day off, sharing one database: the JDBC store dates, expires and prunes
 * events by the database's clock, not theirs. Each node's clock is its builder's {@code clock}.
 */
class JdbcClockSkewTest {
    private final String prefix = Services.tablePrefix("skew_");
    private DataSource postgres;

    private DataSource database(String kind) {
        if ("h2".equals(kind)) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + Path.of("target", "h2-skew", UUID.randomUUID().toString()).toAbsolutePath());
            return h2;
        }
        Services.requirePostgres();
        PGSimpleDataSource pg = Services.postgres();
        postgres = pg;
        return pg;
    }

    @AfterEach
    void dropTables() throws Exception {
        if (postgres == null) {
            return;
        }
        Services.dropStoreTables(postgres, prefix);
    }

    private JdbcHistoryStore node(DataSource db, Duration maxAge, Duration skew) {
        return JdbcHistoryStore.builder(db).tablePrefix(prefix).maxAge(maxAge).pruneInterval(null)
                .clock(Clock.offset(Clock.systemUTC(), skew)).build();
    }

    private static List<String> data(HistoryStore store, String topic) {
        return store.read(Set.of(topic), HistoryStore.EARLIEST, null).events().stream().map(Event::data).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void prune_nodesADayAheadOrBehindDeleteNoHistory(String kind) {
        DataSource db = database(kind);
        try (JdbcHistoryStore onTime = node(db, Duration.ofHours(24), Duration.ZERO);
             JdbcHistoryStore ahead = node(db, Duration.ofHours(24), Duration.ofHours(25));
             JdbcHistoryStore behind = node(db, Duration.ofHours(24), Duration.ofHours(-25))) {
            onTime.append(Set.of("a"), Event.of("1"));
            ahead.append(Set.of("a"), Event.of("2"));
            behind.append(Set.of("a"), Event.of("3"));
            for (JdbcHistoryStore node : List.of(ahead, onTime, behind)) {
                assertEquals(0, node.prune(), "nothing is older than a day by the database's clock");
            }
            for (JdbcHistoryStore node : List.of(onTime, ahead, behind)) {
                assertEquals(List.of("1", "2", "3"), data(node, "a"));
                assertEquals(List.of("1", "2", "3"), node.readMatching(topics -> true, HistoryStore.EARLIEST, null)
                        .events().stream().map(Event::data).toList());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void read_nodeADayBehindServesNoExpiredEvent(String kind) throws Exception {
        DataSource db = database(kind);
        Duration maxAge = Duration.ofMillis(200);
        try (JdbcHistoryStore onTime = node(db, maxAge, Duration.ZERO);
             JdbcHistoryStore behind = node(db, maxAge, Duration.ofHours(-25))) {
            onTime.append(Set.of("a"), Event.of("old"));
            long stored = databaseMillis(db);
            // The database's clock passes the event's expiry (a bounded wait of about 200 ms).
            await().atMost(Duration.ofSeconds(10)).until(() -> databaseMillis(db) > stored + maxAge.toMillis());
            for (JdbcHistoryStore node : List.of(onTime, behind)) {
                assertEquals(List.of(), data(node, "a"), "the event expired by the database's clock");
            }
            assertEquals(1, behind.prune());
        }
    }

    private long databaseMillis(DataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CURRENT_TIMESTAMP FROM " + prefix + "meta WHERE name = 'last_seq'")) {
            rs.next();
            return rs.getTimestamp(1).getTime();
        }
    }
}
