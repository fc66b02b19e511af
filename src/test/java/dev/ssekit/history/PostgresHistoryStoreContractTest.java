package dev.ssekit.history;

import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/** The JDBC store on the PostgreSQL at 127.0.0.1:5432, database test; each test on tables of its own. */
class PostgresHistoryStoreContractTest extends DurableHistoryStoreContract implements SharedHistoryStoreContract {
    private final PGSimpleDataSource dataSource = Services.postgres();
    private final String prefix = Services.tablePrefix("ssekit_t");

    @BeforeEach
    void requirePostgres() {
        Services.requirePostgres();
    }

    @AfterEach
    void dropTables() throws SQLException {
        Services.dropStoreTables(dataSource, prefix);
    }

    @Test
    void build_manyNodesCreatingTheSchemaAtOnceAllSucceed() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<HistoryStore>> builds = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                builds.add(pool.submit(() -> {
                    go.await();
                    return create(10_000, Duration.ofHours(1));
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<HistoryStore> f : builds) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS).close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void append_keysTooLongForTheIndexAreRefusedNamingTheField() {
        try (HistoryStore store = create()) {
            String topic = "主".repeat(1000); // 3,000 bytes: past PostgreSQL's btree entry limit
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> store.append(java.util.Set.of(topic), dev.ssekit.Event.of("x")));
            org.junit.jupiter.api.Assertions.assertEquals("topic must be at most 1024 characters and 2048 bytes "
                    + "in UTF-8, got 1000 characters, 3000 bytes", e.getMessage());
        }
    }

    @Test
    void read_assignedIdBeyondTheLastIssuedReadsAsUnknown() {
        try (HistoryStore store = create()) {
            append(store, "1", "a");
            org.junit.jupiter.api.Assertions.assertFalse(read(store, "urn:ssekit:999", "a").afterIdFound());
        }
    }

    @Override
    protected HistoryStore create(int maxEventsPerTopic, Duration maxAge) {
        return JdbcHistoryStore.builder(dataSource).tablePrefix(prefix).maxEventsPerTopic(maxEventsPerTopic)
                .maxAge(maxAge).pruneInterval(null).serverClockAhead(elapsed).build();
    }

    @Override
    protected HistoryStore reopen(HistoryStore closed) {
        return create(10_000, Duration.ofHours(1));
    }

    @Override
    protected boolean keepsTopicState(HistoryStore store, String topic) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement s = c.prepareStatement(("SELECT (SELECT COUNT(*) FROM %1$stopic WHERE topic = ?)"
                     + " + (SELECT COUNT(*) FROM %1$sevent_topic WHERE topic = ?)").formatted(prefix))) {
            s.setString(1, topic);
            s.setString(2, topic);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    @Override
    protected void settle(HistoryStore store) {
        ((JdbcHistoryStore) store).prune();
    }
}
