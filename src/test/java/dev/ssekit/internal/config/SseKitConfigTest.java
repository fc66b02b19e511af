package dev.ssekit.internal.config;

import dev.ssekit.SseKitException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.internal.Settings;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.OperationNotSupportedException;
import javax.naming.spi.InitialContextFactory;
import java.lang.reflect.Proxy;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseKitConfigTest {
    private static SseKitConfig of(Map<String, String> values) {
        return SseKitConfig.read(Settings.of(values));
    }

    private static String invalid(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> of(values)).getMessage();
    }

    @Test
    void defaults_matchTheLibrary() {
        SseKitConfig c = of(Map.of());
        assertEquals(java.time.Duration.ofSeconds(20), c.heartbeat());
        assertEquals(10_000, c.maxReplayEvents());
        assertEquals(0, of(Map.of("ssekit.replay.max.events", "0")).maxReplayEvents());
        assertEquals(4096, c.queueCapacity());
        assertEquals(64L * 1024 * 1024, c.queueMaxBytes());
        assertEquals(java.time.Duration.ofSeconds(30), c.queueMaxDelay());
        assertEquals(64, c.maxStalledWriters());
        assertEquals(dev.ssekit.OverflowPolicy.DISCONNECT, c.overflowPolicy());
        assertEquals(java.time.Duration.ofSeconds(10), c.writeTimeout());
        assertEquals(null, c.maxLifetime());
        assertEquals(1024 * 1024, c.maxEventSize());
        assertEquals(0, c.maxSubscribersPerTopic());
        assertEquals(0, c.maxSubscribers());
        assertEquals(100, c.maxTopicsPerSubscription());
        assertEquals("memory", c.store());
    }

    @Test
    void everySetting_isRead() {
        SseKitConfig c = of(Map.of("ssekit.heartbeat", "500ms", "ssekit.queue.capacity", "16",
                "ssekit.overflow.policy", "DROP_OLDEST", "ssekit.write.timeout", "PT3S", "ssekit.max.lifetime", "2h",
                "ssekit.max.event.size", "64KiB", "ssekit.max.subscribers.per.topic", "5", "ssekit.max.subscribers", "9",
                "ssekit.max.topics.per.subscription", "3", "ssekit.history.store", "jdbc"));
        assertEquals(java.time.Duration.ofMillis(500), c.heartbeat());
        assertEquals(16, c.queueCapacity());
        assertEquals(dev.ssekit.OverflowPolicy.DROP_OLDEST, c.overflowPolicy());
        assertEquals(java.time.Duration.ofSeconds(3), c.writeTimeout());
        assertEquals(java.time.Duration.ofHours(2), c.maxLifetime());
        assertEquals(64 * 1024, c.maxEventSize());
        assertEquals(5, c.maxSubscribersPerTopic());
        assertEquals(9, c.maxSubscribers());
        assertEquals(3, c.maxTopicsPerSubscription());
        assertEquals("jdbc", c.store());
    }

    @Test
    void queueAndWriterBounds_areRead() {
        SseKitConfig c = of(Map.of("ssekit.queue.max.bytes", "256KiB", "ssekit.queue.max.delay", "5s",
                "ssekit.max.stalled.writers", "0"));
        assertEquals(256 * 1024, c.queueMaxBytes());
        assertEquals(java.time.Duration.ofSeconds(5), c.queueMaxDelay());
        assertEquals(0, c.maxStalledWriters());
        assertEquals("invalid setting ssekit.max.stalled.writers=\"-1\": expected a whole number of at least 0",
                invalid(Map.of("ssekit.max.stalled.writers", "-1")));
        assertEquals("invalid setting ssekit.replay.max.events=\"-1\": expected a whole number of at least 0",
                invalid(Map.of("ssekit.replay.max.events", "-1")));
        assertEquals("invalid setting ssekit.queue.max.delay=\"0s\": expected a positive duration such as 500ms, "
                + "20s, 5m, 1h, 7d or PT20S", invalid(Map.of("ssekit.queue.max.delay", "0s")));
    }

    @Test
    void reconnectWindow_isReadAndChecked() {
        assertEquals(java.time.Duration.ofSeconds(10), of(Map.of()).reconnectWindow());
        assertEquals(java.time.Duration.ofSeconds(30), of(Map.of("ssekit.reconnect.window", "30s")).reconnectWindow());
        assertEquals("invalid setting ssekit.reconnect.window=\"0s\": expected a positive duration such as 500ms, "
                + "20s, 5m, 1h, 7d or PT20S", invalid(Map.of("ssekit.reconnect.window", "0s")));
        assertEquals("reconnectWindow must be positive, got PT0S", assertThrows(IllegalArgumentException.class,
                () -> dev.ssekit.Hub.builder().reconnectWindow(java.time.Duration.ZERO)).getMessage());
    }

    @Test
    void invalidValues_nameKeyAndValue() {
        assertEquals("invalid setting ssekit.heartbeat=\"0s\": expected a positive duration such as 500ms, 20s, 5m, "
                + "1h, 7d or PT20S", invalid(Map.of("ssekit.heartbeat", "0s")));
        assertEquals("invalid setting ssekit.write.timeout=\"ten\": expected a positive duration such as 500ms, 20s, "
                + "5m, 1h, 7d or PT20S", invalid(Map.of("ssekit.write.timeout", "ten")));
        assertEquals("invalid setting ssekit.queue.capacity=\"0\": expected a whole number of at least 1",
                invalid(Map.of("ssekit.queue.capacity", "0")));
        assertEquals("invalid setting ssekit.overflow.policy=\"block\": expected one of disconnect, drop-oldest",
                invalid(Map.of("ssekit.overflow.policy", "block")));
        assertEquals("invalid setting ssekit.max.event.size=\"1TB\": expected a size of at least one byte, such as "
                + "65536, 64KiB or 1MiB", invalid(Map.of("ssekit.max.event.size", "1TB")));
        assertEquals("invalid setting ssekit.max.event.size=\"4GiB\": expected a size below 2GiB",
                invalid(Map.of("ssekit.max.event.size", "4GiB")));
        assertEquals("invalid setting ssekit.max.subscribers.per.topic=\"-1\": expected a whole number of at least 1",
                invalid(Map.of("ssekit.max.subscribers.per.topic", "-1")));
        assertEquals("invalid setting ssekit.history.max.age=\"forever\": expected a positive duration such as "
                + "500ms, 20s, 5m, 1h, 7d or PT20S", invalid(Map.of("ssekit.history.max.age", "forever")));
        assertEquals("invalid setting ssekit.history.memory.max.bytes=\"10\": expected at least 1KiB",
                invalid(Map.of("ssekit.history.memory.max.bytes", "10")));
    }

    @Test
    void retention_reachesTheStore() {
        try (HistoryStore store = of(Map.of("ssekit.history.max.events.per.topic", "2", "ssekit.history.max.age", "5m",
                "ssekit.history.memory.max.events", "7", "ssekit.history.memory.max.bytes", "2KiB")).openStore()) {
            assertEquals("InMemoryHistoryStore{maxEventsPerTopic=2, maxEvents=7, maxBytes=2048, maxAge=PT5M}",
                    store.toString());
        }
    }

    @Test
    void applyTo_limitsReachTheRegistry() {
        try (dev.ssekit.Hub topics = of(Map.of("ssekit.max.event.size", "8", "ssekit.max.topics.per.subscription",
                "1")).applyTo(dev.ssekit.Hub.builder()).build()) {
            IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                    () -> topics.publish(java.util.List.of("t"), dev.ssekit.Event.of("123456789")));
            assertEquals("data: the event is 9 bytes, over the limit of 8 (maxEventSize)", big.getMessage());
            IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
                    () -> dev.ssekit.internal.HubAccess.checkRoom(topics, java.util.List.of("a", "b")));
            assertEquals("topics: a subscription may name at most 1 topics (maxTopicsPerSubscription), got 2",
                    many.getMessage());
            topics.publish(java.util.List.of("t"), dev.ssekit.Event.of("12345678"));
        }
    }

    @Test
    void defaultSources_readSystemPropertiesThenEnvironmentThenFiles() {
        // The test class path carries META-INF/microprofile-config.properties with this key.
        Settings current = Settings.current();
        assertEquals("from-file", current.raw("ssekit.test.only"));
        System.setProperty("ssekit.test.only", "from-property");
        try {
            assertEquals("from-property", Settings.current().raw("ssekit.test.only"));
        } finally {
            System.clearProperty("ssekit.test.only");
        }
        // PATH is set in every environment; MicroProfile Config's mapping finds SSEKIT_X_Y for ssekit.x.y.
        assertEquals(System.getenv("PATH"), Settings.current().raw("path"));
    }

    @Test
    void historyStore_memoryByDefault() {
        try (HistoryStore store = of(Map.of()).openStore()) {
            assertInstanceOf(InMemoryHistoryStore.class, store);
        }
    }

    @Test
    void historyStore_jdbcFromUrl() {
        try (HistoryStore store = of(Map.of("ssekit.history.store", "jdbc",
                "ssekit.history.jdbc.url", "jdbc:h2:mem:" + UUID.randomUUID())).openStore()) {
            assertInstanceOf(JdbcHistoryStore.class, store);
        }
    }

    @Test
    void historyStore_jdbcUrlKeepsPooledConnectionsAndTheStoreClosesThePool() throws Exception {
        dev.ssekit.testsupport.Services.requirePostgres();
        String app = "ssekit-pool-" + UUID.randomUUID().toString().substring(0, 8);
        String prefix = dev.ssekit.testsupport.Services.tablePrefix("ssekit_p");
        HistoryStore store = of(Map.of("ssekit.history.store", "jdbc", "ssekit.history.jdbc.url",
                dev.ssekit.testsupport.Services.POSTGRES_URL + "?ApplicationName=" + app, "ssekit.history.jdbc.user",
                dev.ssekit.testsupport.Services.POSTGRES_USER, "ssekit.history.jdbc.table.prefix", prefix,
                "ssekit.history.jdbc.pool.size", "3")).openStore();
        try {
            for (int i = 0; i < 20; i++) {
                store.append(java.util.Set.of("t"), dev.ssekit.Event.of("x" + i));
            }
            // Between calls the connections stay open (a pool), at most the pool size of them.
            long open = backends(app);
            assertTrue(open >= 1 && open <= 3, "open connections: " + open);
        } finally {
            store.close();
            dev.ssekit.testsupport.Services.dropStoreTables(prefix);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> backends(app) == 0);
    }

    private static long backends(String applicationName) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(dev.ssekit.testsupport.Services.POSTGRES_URL,
                dev.ssekit.testsupport.Services.POSTGRES_USER, null);
             java.sql.PreparedStatement s = c.prepareStatement(
                     "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?")) {
            s.setString(1, applicationName);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void historyStore_jdbcPollIntervalReachesTheStore() {
        try (HistoryStore store = of(Map.of("ssekit.history.store", "jdbc", "ssekit.history.jdbc.url",
                "jdbc:h2:mem:" + UUID.randomUUID(), "ssekit.history.jdbc.poll.interval", "250ms")).openStore()) {
            assertEquals("JdbcHistoryStore{tables=ssekit_*, maxEventsPerTopic=10000, maxAge=PT24H, pollInterval=PT0.25S}",
                    store.toString());
        }
        assertEquals("invalid setting ssekit.history.jdbc.poll.interval=\"0s\": expected a positive duration such as "
                + "500ms, 20s, 5m, 1h, 7d or PT20S", invalid(Map.of("ssekit.history.jdbc.poll.interval", "0s")));
    }

    @Test
    void historyStore_badPoolSizeNamesKey() {
        String message = invalid(Map.of("ssekit.history.store", "jdbc", "ssekit.history.jdbc.pool.size", "0"));
        assertTrue(message.startsWith("invalid setting ssekit.history.jdbc.pool.size=\"0\""), message);
    }

    @Test
    void historyStore_jdbcFromJndiDataSource() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        MapContextFactory.BOUND.put("java:comp/env/jdbc/ssekit", h2);
        MapContextFactory.BOUND.put("java:comp/env/jdbc/notADataSource", "a string");
        String before = System.getProperty(Context.INITIAL_CONTEXT_FACTORY);
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, MapContextFactory.class.getName());
        try {
            try (HistoryStore store = of(Map.of("ssekit.history.store", "jdbc",
                    "ssekit.history.jdbc.datasource", "java:comp/env/jdbc/ssekit")).openStore()) {
                assertInstanceOf(JdbcHistoryStore.class, store);
                assertEquals("x", store.append(java.util.Set.of("t"), dev.ssekit.Event.of("x"))
                        .data());
            }
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> of(Map.of(
                    "ssekit.history.store", "jdbc", "ssekit.history.jdbc.datasource", "java:comp/env/jdbc/notADataSource"))
                    .openStore());
            assertEquals("ssekit.history.jdbc.datasource: JNDI name \"java:comp/env/jdbc/notADataSource\" holds a "
                    + "java.lang.String, not a javax.sql.DataSource", wrong.getMessage());
            SseKitException missing = assertThrows(SseKitException.class, () -> of(Map.of(
                    "ssekit.history.store", "jdbc", "ssekit.history.jdbc.datasource", "java:comp/env/jdbc/none"))
                    .openStore());
            assertTrue(missing.getMessage().startsWith(
                    "ssekit.history.jdbc.datasource: no DataSource at JNDI name \"java:comp/env/jdbc/none\""),
                    missing.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
            } else {
                System.setProperty(Context.INITIAL_CONTEXT_FACTORY, before);
            }
        }
    }

    /** A JNDI context over a map, as a server's naming service would answer. */
    public static final class MapContextFactory implements InitialContextFactory {
        static final Map<String, Object> BOUND = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Context getInitialContext(java.util.Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Context.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("lookup")) {
                            Object found = BOUND.get(String.valueOf(args[0]));
                            if (found == null) {
                                throw new NameNotFoundException(args[0] + " is not bound");
                            }
                            return found;
                        }
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        throw new OperationNotSupportedException(method.getName());
                    });
        }
    }

    @Test
    void historyStore_unknownKindNamesKeyAndValue() {
        assertEquals("invalid setting ssekit.history.store=\"mongo\": expected one of memory, jdbc, redis",
                invalid(Map.of("ssekit.history.store", "mongo")));
    }

    @Test
    void historyStore_badJdbcUrlNamesKey() {
        assertEquals("invalid setting ssekit.history.jdbc.url=\"postgres://x\": expected a JDBC URL (jdbc:...)",
                invalid(Map.of("ssekit.history.store", "jdbc", "ssekit.history.jdbc.url", "postgres://x")));
    }

    @Test
    void historyStore_unreachableStoreFailsAtStartWithItsAddress() {
        SseKitException redis = assertThrows(SseKitException.class, () -> of(Map.of(
                "ssekit.history.store", "redis", "ssekit.history.redis.uri", "redis://127.0.0.1:1")).openStore());
        assertTrue(redis.getMessage().startsWith("Redis unreachable at 127.0.0.1:1"), redis.getMessage());
        SseKitException jdbc = assertThrows(SseKitException.class, () -> of(Map.of(
                "ssekit.history.store", "jdbc", "ssekit.history.jdbc.url",
                "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2")).openStore());
        assertTrue(jdbc.getMessage().startsWith("history database unreachable"), jdbc.getMessage());
    }
}
