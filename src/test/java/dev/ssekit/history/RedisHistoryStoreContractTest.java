package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.SseKitException;
import dev.ssekit.testkit.RedisKeys;
import dev.ssekit.testkit.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis Streams store on the Redis at 127.0.0.1:6379; each test under keys of its own. */
class RedisHistoryStoreContractTest extends DurableHistoryStoreContract {
    static final String URI = RedisKeys.URI;
    private final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";

    @BeforeEach
    void requireRedis() {
        Services.requireRedis();
    }

    @AfterEach
    void deleteKeys() {
        RedisKeys.deleteAll(prefix);
    }

    @Override
    protected HistoryStore create(int maxEventsPerTopic, Duration maxAge) {
        return RedisHistoryStore.builder(URI).keyPrefix(prefix).maxEventsPerTopic(maxEventsPerTopic).maxAge(maxAge)
                .clock(clock).build();
    }

    @Override
    protected HistoryStore reopen(HistoryStore closed) {
        return create(10_000, Duration.ofHours(1));
    }

    @Override
    protected boolean exactRetention() {
        return false; // MAXLEN ~ trims whole stream nodes
    }

    @Test
    void retention_trimmedStreamReportsOldIdsAsExpired() {
        try (HistoryStore store = create(10, Duration.ofHours(1))) {
            String first = append(store, "0", "a");
            for (int i = 1; i < 1000; i++) {
                append(store, String.valueOf(i), "a");
            }
            Replay r = read(store, first, "a");
            assertFalse(r.afterIdFound(), "the stream was trimmed after the id: a gap");
            int kept = r.events().size();
            assertTrue(kept >= 10 && kept < 1000, "kept " + kept);
            assertEquals("999", r.events().get(kept - 1).data());
        }
    }

    @Test
    void append_refusesIdsInStreamIdForm() {
        try (HistoryStore store = create()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.append(Set.of("a"), Event.of("x").withId("5-0")));
            assertEquals("id \"5-0\" is reserved: ids of the form <number>-<number> are assigned by the store",
                    e.getMessage());
        }
    }

    @Test
    void build_unreachableRedisFailsClearly() {
        SseKitException e = assertThrows(SseKitException.class,
                () -> RedisHistoryStore.builder("redis://127.0.0.1:1").build());
        assertTrue(e.getMessage().startsWith("Redis unreachable at 127.0.0.1:1"), e.getMessage());
    }
}
