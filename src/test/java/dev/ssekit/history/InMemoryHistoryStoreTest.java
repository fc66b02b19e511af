package dev.ssekit.history;

import dev.ssekit.Event;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is particular to the in-memory store; the shared behaviour is in {@link HistoryStoreContract}. */
class InMemoryHistoryStoreTest {
    private static String append(HistoryStore store, String data, String... topics) {
        return store.append(Set.of(topics), Event.of(data)).id().orElseThrow();
    }

    private static List<String> data(Replay r) {
        List<String> out = new ArrayList<>();
        r.events().forEach(e -> out.add(e.data()));
        return out;
    }

    private static Replay read(HistoryStore store, String after, String until, String... topics) {
        return store.read(Set.of(topics), after, until);
    }

    private static Clock clockOf(AtomicReference<Instant> now) {
        return new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
    }

    @Test
    void retention_byCountPerTopicExpiresOldIds() {
        InMemoryHistoryStore store = InMemoryHistoryStore.builder().maxEventsPerTopic(3).build();
        String first = append(store, "1", "a");
        String second = append(store, "2", "a");
        for (int i = 3; i <= 5; i++) {
            append(store, String.valueOf(i), "a");
        }
        assertEquals(List.of("3", "4", "5"), data(read(store, HistoryStore.EARLIEST, null, "a")));
        Replay gap = read(store, first, null, "a");
        assertFalse(gap.afterIdFound(), "events after the id were dropped, so it must read as expired");
        assertEquals(List.of("3", "4", "5"), data(gap));
        // The client saw "2", which was dropped, but nothing after it was: no gap.
        Replay noGap = read(store, second, null, "a");
        assertTrue(noGap.afterIdFound());
        assertEquals(List.of("3", "4", "5"), data(noGap));
    }

    @Test
    void retention_byAge() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = clockOf(now);
        InMemoryHistoryStore store = InMemoryHistoryStore.builder().maxAge(Duration.ofMinutes(5)).clock(clock).build();
        String old = append(store, "old", "a");
        now.set(now.get().plus(Duration.ofMinutes(4)));
        append(store, "new", "a");
        now.set(now.get().plus(Duration.ofMinutes(2)));
        Replay r = read(store, old, null, "a");
        assertTrue(r.afterIdFound(), "only the id itself expired: nothing after it is missing");
        assertEquals(List.of("new"), data(r));
        assertEquals(1, store.size());
    }

    @Test
    void retention_topicThatEmptiedAndReturnedStillReportsTheGap() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryHistoryStore store = InMemoryHistoryStore.builder().maxAge(Duration.ofMinutes(1))
                .clock(clockOf(now)).build();
        String first = append(store, "1", "t");
        append(store, "2", "t"); // the client misses this one
        now.set(now.get().plus(Duration.ofMinutes(2)));
        append(store, "o", "other"); // 1 and 2 expire; topic t empties
        append(store, "3", "t");
        Replay r = read(store, first, null, "t");
        assertFalse(r.afterIdFound(), "event 2 was dropped after the client's id: that is a gap");
        assertEquals(List.of("3"), data(r));
    }

    @Test
    void retention_droppedEntriesDoNotPileUpBehindAQuietTopic() {
        InMemoryHistoryStore store = InMemoryHistoryStore.builder().maxEventsPerTopic(10).build();
        append(store, "old", "quiet");
        for (int i = 0; i < 50_000; i++) {
            append(store, "payload-" + i, "busy");
        }
        assertEquals(11, store.size());
        assertTrue(store.logLength() < 2 * 11 + 1024 + 1, "log length " + store.logLength());
    }

    @Test
    void retention_byBytesKeepsMemoryBounded() {
        InMemoryHistoryStore store = InMemoryHistoryStore.builder().maxBytes(64 * 1024).build();
        String kb = "x".repeat(1024);
        for (int i = 0; i < 1000; i++) {
            append(store, kb, "t" + (i % 7));
        }
        assertTrue(store.retainedBytes() <= 64 * 1024, "retained " + store.retainedBytes());
        assertTrue(store.size() > 0 && store.size() < 40, "size " + store.size());
    }

    @Test
    void append_keepsGivenIdAndRefusesDuplicates() {
        InMemoryHistoryStore store = InMemoryHistoryStore.create();
        Event stored = store.append(Set.of("a"), Event.of("d").withId("mine"));
        assertEquals("mine", stored.id().orElseThrow());
        dev.ssekit.DuplicateIdException e = assertThrows(dev.ssekit.DuplicateIdException.class,
                () -> store.append(Set.of("a"), Event.of("d").withId("mine")));
        assertEquals("id \"mine\" is already used in the history", e.getMessage());
        assertEquals("topics must not be empty",
                assertThrows(IllegalArgumentException.class, () -> store.append(Set.of(), Event.of("d"))).getMessage());
    }

    @Test
    void ids_ofAnotherRunReadAsUnknown() {
        InMemoryHistoryStore before = InMemoryHistoryStore.builder()
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)).build();
        String oldId = append(before, "1", "a");
        InMemoryHistoryStore after = InMemoryHistoryStore.create();
        append(after, "fresh", "a");
        assertFalse(read(after, oldId, null, "a").afterIdFound());
    }

    @Test
    void latestId_isNewestOnAnyTopic() {
        InMemoryHistoryStore store = InMemoryHistoryStore.create();
        assertTrue(store.latestId().isEmpty());
        append(store, "1", "a");
        String last = append(store, "2", "b");
        assertEquals(last, store.latestId().orElseThrow());
    }

    @Test
    void builder_refusesBadValuesNamingThem() {
        assertEquals("maxEventsPerTopic must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> InMemoryHistoryStore.builder().maxEventsPerTopic(0)).getMessage());
        assertEquals("maxAge must be positive, got PT0S", assertThrows(IllegalArgumentException.class,
                () -> InMemoryHistoryStore.builder().maxAge(Duration.ZERO)).getMessage());
    }
}
