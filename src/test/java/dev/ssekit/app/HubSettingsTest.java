package dev.ssekit.app;

import dev.ssekit.SseKitException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;

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

class HubSettingsTest {
    private static HubSettings of(Map<String, String> values) {
        return new HubSettings(values::get);
    }

    @Test
    void historyStore_memoryByDefault() {
        try (HistoryStore store = of(Map.of()).historyStore()) {
            assertInstanceOf(InMemoryHistoryStore.class, store);
        }
    }

    @Test
    void historyStore_jdbcFromUrl() {
        try (HistoryStore store = of(Map.of("ssekit.history.store", "jdbc",
                "ssekit.history.jdbc.url", "jdbc:h2:mem:" + UUID.randomUUID())).historyStore()) {
            assertInstanceOf(JdbcHistoryStore.class, store);
        }
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
                    "ssekit.history.jdbc.datasource", "java:comp/env/jdbc/ssekit")).historyStore()) {
                assertInstanceOf(JdbcHistoryStore.class, store);
                assertEquals("x", store.append(java.util.Set.of("t"), dev.ssekit.Event.of("x"))
                        .toCompletableFuture().join().data());
            }
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> of(Map.of(
                    "ssekit.history.store", "jdbc", "ssekit.history.jdbc.datasource", "java:comp/env/jdbc/notADataSource"))
                    .historyStore());
            assertEquals("ssekit.history.jdbc.datasource: JNDI name \"java:comp/env/jdbc/notADataSource\" holds a "
                    + "java.lang.String, not a javax.sql.DataSource", wrong.getMessage());
            SseKitException missing = assertThrows(SseKitException.class, () -> of(Map.of(
                    "ssekit.history.store", "jdbc", "ssekit.history.jdbc.datasource", "java:comp/env/jdbc/none"))
                    .historyStore());
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> of(Map.of("ssekit.history.store", "mongo")).historyStore());
        assertEquals("ssekit.history.store must be memory, jdbc or redis, got \"mongo\"", e.getMessage());
    }

    @Test
    void historyStore_badJdbcUrlNamesKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> of(Map.of(
                "ssekit.history.store", "jdbc", "ssekit.history.jdbc.url", "postgres://x")).historyStore());
        assertEquals("ssekit.history.jdbc.url must be a JDBC URL, got \"postgres://x\"", e.getMessage());
    }

    @Test
    void historyStore_unreachableStoreFailsAtStartWithItsAddress() {
        SseKitException redis = assertThrows(SseKitException.class, () -> of(Map.of(
                "ssekit.history.store", "redis", "ssekit.history.redis.uri", "redis://127.0.0.1:1")).historyStore());
        assertTrue(redis.getMessage().startsWith("Redis unreachable at 127.0.0.1:1"), redis.getMessage());
        SseKitException jdbc = assertThrows(SseKitException.class, () -> of(Map.of(
                "ssekit.history.store", "jdbc", "ssekit.history.jdbc.url",
                "jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2")).historyStore());
        assertTrue(jdbc.getMessage().startsWith("history database unreachable"), jdbc.getMessage());
    }
}
