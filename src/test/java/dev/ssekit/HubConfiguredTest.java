package dev.ssekit;

import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain Java code builds a registry from the same settings as an injected one. */
class HubConfiguredTest {
    private static final List<String> KEYS = List.of("ssekit.queue.capacity", "ssekit.heartbeat",
            "ssekit.history.store", "ssekit.history.jdbc.url");

    @AfterEach
    void clearSettings() {
        KEYS.forEach(System::clearProperty);
    }

    @Test
    void configured_readsTheSettingsAndOpensTheConfiguredStore() {
        System.setProperty("ssekit.queue.capacity", "7");
        System.setProperty("ssekit.heartbeat", "3s");
        Path db = Path.of("target", "configured-" + UUID.randomUUID()).toAbsolutePath();
        System.setProperty("ssekit.history.store", "jdbc");
        System.setProperty("ssekit.history.jdbc.url", "jdbc:h2:file:" + db);
        try (Hub topics = Hub.builder().build()) {
            assertEquals(7, topics.dispatcher().defaults().queueCapacity());
            assertEquals(Duration.ofSeconds(3), topics.dispatcher().defaults().heartbeat());
            assertInstanceOf(JdbcHistoryStore.class, topics.history());
            String id = topics.publish(List.of("t"), Event.of("kept")).id();
            assertTrue(id.startsWith("urn:ssekit:"), id);
        }
    }

    @Test
    void configured_builderSettersStillWin() {
        System.setProperty("ssekit.queue.capacity", "7");
        try (Hub topics = Hub.builder().queueCapacity(9).build()) {
            assertEquals(9, topics.dispatcher().defaults().queueCapacity());
            assertInstanceOf(InMemoryHistoryStore.class, topics.history());
        }
    }

    @Test
    void configured_invalidSettingNamesKeyAndValue() {
        System.setProperty("ssekit.queue.capacity", "lots");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hub.builder().build());
        assertTrue(e.getMessage().startsWith("invalid setting ssekit.queue.capacity=\"lots\""), e.getMessage());
    }
}
