package dev.ssekit.history;

import dev.ssekit.testkit.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

/** The JDBC store on the PostgreSQL at 127.0.0.1:5432, database test; each test on tables of its own. */
class PostgresHistoryStoreContractTest extends DurableHistoryStoreContract {
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final String prefix = "ssekit_t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";

    @BeforeEach
    void requirePostgres() {
        Services.requirePostgres();
        dataSource.setURL(Services.POSTGRES_URL);
        dataSource.setUser(Services.POSTGRES_USER);
    }

    @AfterEach
    void dropTables() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String table : new String[]{"event_topic", "event", "topic", "meta"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
    }

    @Override
    protected HistoryStore create(int maxEventsPerTopic, Duration maxAge) {
        return JdbcHistoryStore.builder(dataSource).tablePrefix(prefix).maxEventsPerTopic(maxEventsPerTopic)
                .maxAge(maxAge).pruneInterval(null).clock(clock).build();
    }

    @Override
    protected HistoryStore reopen(HistoryStore closed) {
        return create(10_000, Duration.ofHours(1));
    }

    @Override
    protected void settle(HistoryStore store) {
        ((JdbcHistoryStore) store).prune();
    }
}
