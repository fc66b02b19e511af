package dev.ssekit.history;

import org.h2.jdbcx.JdbcDataSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** The JDBC store on a file-backed H2 database, as the embedded hub uses for durable history. */
class H2HistoryStoreContractTest extends DurableHistoryStoreContract implements SharedHistoryStoreContract {
    private final JdbcDataSource dataSource = new JdbcDataSource();

    H2HistoryStoreContractTest() {
        Path file = Path.of("target", "h2-history", UUID.randomUUID().toString()).toAbsolutePath();
        dataSource.setURL("jdbc:h2:file:" + file);
    }

    @org.junit.jupiter.api.Test
    void build_makesH2WriteEachCommitBeforeItReturns() throws Exception {
        try (HistoryStore store = create(); java.sql.Connection c = dataSource.getConnection();
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT SETTING_VALUE FROM "
                     + "INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            org.junit.jupiter.api.Assertions.assertTrue(rs.next());
            org.junit.jupiter.api.Assertions.assertEquals("0", rs.getString(1),
                    "H2's default (500 ms) acknowledges commits before they reach the file");
        }
    }

    @org.junit.jupiter.api.Test
    void follow_anAppendOfTheSameStoreIsReadAtOnceNotAtThePoll() {
        // No notifications on H2: without the store waking its own follow, this would wait a minute.
        try (JdbcHistoryStore store = JdbcHistoryStore.builder(dataSource).pruneInterval(null)
                .pollInterval(Duration.ofMinutes(1)).build()) {
            SharedHistoryStoreContract.Followed followed = new SharedHistoryStoreContract.Followed();
            try (SharedHistoryStore.Follower f = store.follow(followed)) {
                String id = append(store, "x", "a");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> followed.ids().contains(id));
                org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(id), followed.ids());
            }
        }
    }

    @Override
    protected HistoryStore create(int maxEventsPerTopic, Duration maxAge) {
        return JdbcHistoryStore.builder(dataSource).maxEventsPerTopic(maxEventsPerTopic).maxAge(maxAge)
                .pruneInterval(null).serverClockAhead(elapsed).build();
    }

    @Override
    protected HistoryStore reopen(HistoryStore closed) {
        return create(10_000, Duration.ofHours(1));
    }


    @Override
    protected boolean keepsTopicState(HistoryStore store, String topic) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement s = c.prepareStatement(("SELECT (SELECT COUNT(*) FROM %1$stopic WHERE topic = ?)"
                     + " + (SELECT COUNT(*) FROM %1$sevent_topic WHERE topic = ?)").formatted("ssekit_"))) {
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
