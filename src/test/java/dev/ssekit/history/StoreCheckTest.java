package dev.ssekit.history;

import dev.ssekit.HistoryStoreException;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.TcpProxy;

import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HistoryStore#check()} on the network stores, while the service is cut off by a proxy of the
 * test's own (the shared PostgreSQL and Redis keep running) and when it is reachable again.
 */
class StoreCheckTest {
    @Test
    void postgres_checkFailsWhileCutOffAndPassesWhenBack() throws Exception {
        Services.requirePostgres();
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 5432)) {
            PGSimpleDataSource db = new PGSimpleDataSource();
            db.setURL("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?connectTimeout=5");
            db.setUser(Services.POSTGRES_USER);
            try (JdbcHistoryStore store = JdbcHistoryStore.builder(db).tablePrefix("ssekit_check_")
                    .pruneInterval(null).build()) {
                store.check();
                proxy.cut();
                HistoryStoreException e = assertThrows(HistoryStoreException.class, store::check);
                assertTrue(e.getMessage().startsWith("history database unreachable (SQLState 08"), e.getMessage());
                proxy.restore();
                store.check();
            }
        } finally {
            PGSimpleDataSource direct = Services.postgres();
            try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
                for (String table : new String[] {"event_topic", "event", "topic", "meta"}) {
                    s.execute("DROP TABLE IF EXISTS ssekit_check_" + table);
                }
            }
        }
    }

    @Test
    void redis_checkFailsWhileCutOffAndPassesWhenBack() throws Exception {
        Services.requireRedis();
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 6379);
             RedisHistoryStore store = RedisHistoryStore.builder("redis://127.0.0.1:" + proxy.port())
                     .keyPrefix("ssekit-check:").commandTimeout(Duration.ofSeconds(2)).build()) {
            store.check();
            proxy.cut();
            HistoryStoreException e = assertThrows(HistoryStoreException.class, store::check);
            assertTrue(e.getMessage().startsWith("Redis unreachable ("), e.getMessage());
            proxy.restore();
            // Lettuce reconnects by itself, on its own schedule: the check passes once it has.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(store::check);
        }
    }
}
