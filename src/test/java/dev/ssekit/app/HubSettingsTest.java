package dev.ssekit.app;

import dev.ssekit.SseKitException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;

import org.junit.jupiter.api.Test;

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
