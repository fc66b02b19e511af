package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every {@link HistoryStore} must do; one subclass per back end. */
abstract class HistoryStoreContract {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    protected final AtomicReference<Instant> now = new AtomicReference<>(START);
    /**
     * How far {@link #now} has moved since the test began: time passing, for a store dated by its
     * server's clock, which a test cannot set (see {@code RetentionSettings.serverClockAhead}).
     */
    protected final java.util.function.Supplier<Duration> elapsed = () -> Duration.between(START, now.get());
    protected final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    /** @return a new, empty store with this retention, dated by {@link #clock} or moved on by {@link #elapsed} */
    protected abstract HistoryStore create(int maxEventsPerTopic, Duration maxAge);

    /** @return false for stores that may keep somewhat more than the count limit */
    protected boolean exactRetention() {
        return true;
    }

    /**
     * @return whether the store still holds any state (rows, streams, index entries) of {@code topic}
     */
    protected abstract boolean keepsTopicState(HistoryStore store, String topic) throws Exception;

    /** Applies retention now, for stores that prune in the background. */
    protected void settle(HistoryStore store) {
    }

    HistoryStore create() {
        return create(10_000, Duration.ofHours(1));
    }

    /**
     * @return a second store on the same data as {@code store}, as another node would open it; the
     *         store itself for a store that lives in one JVM
     */
    protected HistoryStore secondNode(HistoryStore store) {
        return store;
    }

    static List<HistoryStore.Entry> batch(String... data) {
        List<HistoryStore.Entry> out = new ArrayList<>();
        for (String d : data) {
            out.add(new HistoryStore.Entry(Set.of("a"), Event.of(d)));
        }
        return out;
    }

    static List<String> ids(List<Event> events) {
        return events.stream().map(e -> e.id().orElseThrow()).toList();
    }

    static String append(HistoryStore store, String data, String... topics) {
        return store.append(Set.of(topics), Event.of(data)).id().orElseThrow();
    }

    static Replay read(HistoryStore store, String after, String... topics) {
        return store.read(Set.of(topics), after, null);
    }

    static List<String> data(Replay r) {
        List<String> out = new ArrayList<>();
        r.events().forEach(e -> out.add(e.data()));
        return out;
    }

    @Test
    void read_afterIdInAppendOrder() {
        try (HistoryStore store = create()) {
            String first = append(store, "1", "a");
            append(store, "2", "a");
            append(store, "x", "b");
            append(store, "3", "a");
            Replay r = read(store, first, "a");
            assertTrue(r.afterIdFound());
            assertEquals(List.of("2", "3"), data(r));
        }
    }

    @Test
    void read_earliestGivesEverythingRetained() {
        try (HistoryStore store = create()) {
            append(store, "1", "a");
            append(store, "2", "a");
            Replay r = read(store, HistoryStore.EARLIEST, "a");
            assertTrue(r.afterIdFound());
            assertEquals(List.of("1", "2"), data(r));
        }
    }

    @Test
    void read_unknownIdGivesEverythingRetainedNotFound() {
        try (HistoryStore store = create()) {
            append(store, "1", "a");
            Replay r = read(store, "never-issued", "a");
            assertFalse(r.afterIdFound());
            assertEquals(List.of("1"), data(r));
        }
    }

    @Test
    void read_untilIsInclusive() {
        try (HistoryStore store = create()) {
            append(store, "1", "a");
            String two = append(store, "2", "a");
            append(store, "3", "a");
            Replay r = store.read(Set.of("a"), HistoryStore.EARLIEST, two);
            assertEquals(List.of("1", "2"), data(r));
        }
    }

    @Test
    void read_severalTopicsMergeInAppendOrderOnce() {
        try (HistoryStore store = create()) {
            append(store, "a1", "a");
            append(store, "b1", "b");
            append(store, "ab", "a", "b");
            append(store, "c1", "c");
            append(store, "a2", "a");
            assertEquals(List.of("a1", "b1", "ab", "a2"), data(read(store, HistoryStore.EARLIEST, "a", "b")));
        }
    }

    /** Reads {@code topics} (or, with a matcher, what it accepts) page by page, as a replay does. */
    static List<List<String>> pages(HistoryStore store, String after, String until, int limit,
                                    dev.ssekit.spi.TopicMatcher matcher, String... topics) {
        List<List<String>> pages = new ArrayList<>();
        String from = after;
        while (true) {
            Replay page = matcher == null ? store.readPage(Set.of(topics), from, until, limit)
                    : store.readMatchingPage(matcher, from, until, limit);
            assertTrue(page.events().size() <= limit, "a page of " + page.events().size());
            pages.add(data(page));
            if (page.events().size() < limit) {
                return pages;
            }
            from = page.events().get(page.events().size() - 1).id().orElseThrow();
        }
    }

    @Test
    void readPage_pagesJoinToTheWholeRangeInOrder() {
        try (HistoryStore store = create()) {
            append(store, "a1", "a");
            String b1 = append(store, "b1", "b");
            append(store, "ab", "a", "b");
            append(store, "c1", "c");
            append(store, "a2", "a");
            String b2 = append(store, "b2", "b");
            append(store, "a3", "a");
            assertEquals(List.of(List.of("a1", "b1"), List.of("ab", "a2"), List.of("b2", "a3"), List.of()),
                    pages(store, HistoryStore.EARLIEST, null, 2, null, "a", "b"));
            assertEquals(List.of(List.of("ab", "a2", "b2")), pages(store, b1, b2, 5, null, "a", "b"));
            assertEquals(List.of(List.of("ab"), List.of("a2"), List.of("a3"), List.of()),
                    pages(store, b1, null, 1, null, "a"));
            Replay unknown = store.readPage(Set.of("a"), "never-issued", null, 2);
            assertFalse(unknown.afterIdFound());
            assertEquals(List.of("a1", "ab"), data(unknown));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.readPage(Set.of("a"), HistoryStore.EARLIEST, null, 0));
            assertEquals("limit must be at least 1, was 0", e.getMessage());
        }
    }

    @Test
    void readMatchingPage_pagesHoldMatchesOnlyAndJoinToTheWholeRange() {
        try (HistoryStore store = create()) {
            append(store, "x1", "x");
            append(store, "o1", "orders/1");
            append(store, "x2", "x");
            append(store, "x3", "x");
            append(store, "o2", "orders/2", "x");
            append(store, "x4", "x");
            String o3 = append(store, "o3", "orders/3");
            append(store, "x5", "x");
            dev.ssekit.spi.TopicMatcher orders = t -> t.stream().anyMatch(topic -> topic.startsWith("orders/"));
            assertEquals(List.of(List.of("o1", "o2"), List.of("o3")),
                    pages(store, HistoryStore.EARLIEST, null, 2, orders));
            assertEquals(List.of(List.of("o1", "o2", "o3"), List.of()),
                    pages(store, HistoryStore.EARLIEST, o3, 3, orders));
            assertThrows(IllegalArgumentException.class,
                    () -> store.readMatchingPage(orders, HistoryStore.EARLIEST, null, 0));
        }
    }

    @Test
    void count_isWhatAReplayReadsUpToTheLimit() {
        try (HistoryStore store = create()) {
            String a1 = append(store, "a1", "a");
            String b1 = append(store, "b1", "b");
            append(store, "ab", "a", "b");
            append(store, "c1", "c");
            String a2 = append(store, "a2", "a");
            append(store, "b2", "b");
            String e = HistoryStore.EARLIEST;
            // This store's count, and the SPI's default (pages read and counted) on the same data.
            for (HistoryStore s : List.of(store, new dev.ssekit.testsupport.ForwardingStore(store) { })) {
                String which = s == store ? "the store's count" : "the default count";
                // By topics: what read returns, an event on two of them once.
                assertEquals(3, s.count(Set.of("a"), e, null, 100), which);
                assertEquals(5, s.count(Set.of("a", "b"), e, null, 100), which);
                assertEquals(2, s.count(Set.of("a", "b"), b1, a2, 100), which);
                assertEquals(2, s.count(Set.of("a"), a1, a2, 100), which);
                assertEquals(0, s.count(Set.of("none"), e, null, 100), which);
                // No topics: every event of the range, whatever its topics.
                assertEquals(6, s.count(Set.of(), e, null, 100), which);
                assertEquals(5, s.count(Set.of(), a1, null, 100), which);
                assertEquals(3, s.count(Set.of(), b1, a2, 100), which);
                // Up to the limit.
                assertEquals(4, s.count(Set.of(), e, null, 4), which);
                assertEquals(2, s.count(Set.of("a", "b"), e, null, 2), which);
                assertEquals(3, s.count(Set.of("a"), e, null, 3), which);
                assertEquals(1, s.count(Set.of("a"), a1, a2, 1), which);
                // An unknown id counts from the earliest, as the reads read.
                assertEquals(3, s.count(Set.of("a"), "never-issued", null, 100), which);
                assertEquals(6, s.count(Set.of(), "never-issued", null, 100), which);
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                        () -> s.count(Set.of("a"), e, null, 0));
                assertEquals("limit must be at least 1, was 0", bad.getMessage(), which);
            }
        }
    }

    @Test
    void count_aGapCountsFromTheEarliestAndExpiredEventsNever() {
        try (HistoryStore store = create(3, Duration.ofMinutes(5))) {
            String first = append(store, "q1", "quiet");
            for (int i = 1; i <= 5; i++) {
                append(store, "b" + i, "busy"); // the count limit drops busy events after first
            }
            append(store, "q2", "quiet");
            settle(store);
            // On the quiet topic nothing after first was dropped: q2.
            assertEquals(data(read(store, first, "quiet")).size(), store.count(Set.of("quiet"), first, null, 100));
            // Every topic: what readMatching would offer its matcher, from the earliest after a gap.
            assertEquals(readMatching(store, first, t -> true).events().size(),
                    store.count(Set.of(), first, null, 100));
            now.set(now.get().plus(Duration.ofMinutes(6)));
            String fresh = append(store, "fresh", "quiet");
            settle(store);
            assertEquals(1, store.count(Set.of(), HistoryStore.EARLIEST, null, 100), "expired events are not counted");
            assertEquals(1, store.count(Set.of("quiet"), first, null, 100));
            assertEquals(0, store.count(Set.of(), fresh, null, 100));
        }
    }

    static Replay readMatching(HistoryStore store, String after, dev.ssekit.spi.TopicMatcher matcher) {
        return store.readMatching(matcher, after, null);
    }

    @Test
    void readMatching_offersEachEventOnceWithAllItsTopicsInAppendOrder() {
        try (HistoryStore store = create()) {
            append(store, "a1", "a");
            String b1 = append(store, "b1", "b");
            append(store, "ab", "a", "b");
            append(store, "c1", "c");
            append(store, "a2", "a");
            List<Set<String>> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
            Replay r = readMatching(store, HistoryStore.EARLIEST, topics -> {
                offered.add(topics);
                return topics.equals(Set.of("a", "b")) || topics.contains("c");
            });
            assertTrue(r.afterIdFound());
            assertEquals(List.of("ab", "c1"), data(r));
            assertEquals(List.of(Set.of("a"), Set.of("b"), Set.of("a", "b"), Set.of("c"), Set.of("a")), offered);
            Replay after = readMatching(store, b1, topics -> topics.contains("a"));
            assertTrue(after.afterIdFound());
            assertEquals(List.of("ab", "a2"), data(after));
        }
    }

    @Test
    void readMatching_untilIsInclusive_andUnknownIdsReadEverythingNotFound() {
        try (HistoryStore store = create()) {
            append(store, "1", "x/1");
            String two = append(store, "2", "y/2");
            append(store, "3", "x/3");
            assertEquals(List.of("1", "2"), data(store.readMatching(t -> true, HistoryStore.EARLIEST, two)));
            Replay unknown = readMatching(store, "never-issued", t -> t.iterator().next().startsWith("x/"));
            assertFalse(unknown.afterIdFound());
            assertEquals(List.of("1", "3"), data(unknown));
            assertThrows(IllegalArgumentException.class, () -> store.readMatching(null, HistoryStore.EARLIEST, null));
        }
    }

    @Test
    void readMatching_neverClaimsFoundAfterADrop() {
        try (HistoryStore store = create(3, Duration.ofHours(1))) {
            String first = append(store, "q1", "quiet");
            for (int i = 1; i <= 5; i++) {
                append(store, "b" + i, "busy"); // the count limit drops busy events after first
            }
            append(store, "q2", "quiet");
            settle(store);
            Replay r = readMatching(store, first, topics -> topics.contains("quiet"));
            if (r.afterIdFound()) {
                // Allowed only when the store still holds every event after the id.
                assertEquals(List.of("q2"), data(r));
                assertEquals(List.of("b1", "b2", "b3", "b4", "b5", "q2"), data(readMatching(store, first, t -> true)));
            } else {
                assertEquals(List.of("q1", "q2"), data(r));
            }
            assertEquals(exactRetention(), !r.afterIdFound(), "a store that dropped events after the id says so");
        }
    }

    @Test
    void readMatching_expiredEventsAreGapsAndNeverRead() {
        try (HistoryStore store = create(10_000, Duration.ofMinutes(5))) {
            String old = append(store, "old", "a");
            String older = append(store, "older", "b");
            now.set(now.get().plus(Duration.ofMinutes(4)));
            append(store, "new", "c");
            now.set(now.get().plus(Duration.ofMinutes(2)));
            settle(store);
            assertEquals(List.of("new"), data(readMatching(store, HistoryStore.EARLIEST, t -> true)));
            Replay fromOld = readMatching(store, old, t -> t.contains("a") || t.contains("c"));
            assertFalse(fromOld.afterIdFound(), "'older' came after 'old' and expired: a gap, whatever its topic");
            assertEquals(List.of("new"), data(fromOld));
            assertEquals(List.of("new"), data(readMatching(store, older, t -> true)));
        }
    }

    @Test
    void check_passesWhileOpenAndFailsOnceClosed() {
        HistoryStore store = create();
        store.check();
        append(store, "a1", "a");
        store.check();
        store.close();
        assertThrows(dev.ssekit.HistoryStoreException.class, store::check);
    }

    @Test
    void append_keepsTypeRetryAndGivenId() {
        try (HistoryStore store = create()) {
            Event in = Event.of("d").withId("given-1").withType("created").withRetry(Duration.ofMillis(1500));
            assertEquals(in, store.append(Set.of("a"), in));
            assertEquals(List.of(in), read(store, HistoryStore.EARLIEST, "a").events());
            assertThrows(dev.ssekit.DuplicateIdException.class, () -> store.append(Set.of("a"), in));
            assertEquals("given-1", store.latestId().orElseThrow());
        }
    }

    @Test
    void retention_byCountExpiresOldIds() {
        try (HistoryStore store = create(3, Duration.ofHours(1))) {
            String first = append(store, "1", "a");
            for (int i = 2; i <= 5; i++) {
                append(store, String.valueOf(i), "a");
            }
            settle(store);
            List<String> retained = data(read(store, HistoryStore.EARLIEST, "a"));
            assertTrue(retained.containsAll(List.of("3", "4", "5")), "the newest events are kept: " + retained);
            Replay afterFirst = read(store, first, "a");
            if (exactRetention()) {
                assertEquals(List.of("3", "4", "5"), retained);
            }
            if (afterFirst.afterIdFound()) {
                // Allowed only when the store kept everything after the id (approximate trimming).
                assertEquals(List.of("2", "3", "4", "5"), data(afterFirst));
            } else {
                assertEquals(retained, data(afterFirst));
            }
            assertEquals(!exactRetention() && retained.size() == 5, afterFirst.afterIdFound());
        }
    }

    @Test
    void retention_byAgeExpiresOldEvents() {
        try (HistoryStore store = create(10_000, Duration.ofMinutes(5))) {
            String old = append(store, "old", "a");
            String older = append(store, "older", "a");
            now.set(now.get().plus(Duration.ofMinutes(4)));
            append(store, "new", "a");
            now.set(now.get().plus(Duration.ofMinutes(2)));
            settle(store);
            assertEquals(List.of("new"), data(read(store, HistoryStore.EARLIEST, "a")));
            assertFalse(read(store, old, "a").afterIdFound(), "'older' came after 'old' and expired: a gap");
            Replay fromOlder = read(store, older, "a");
            assertEquals(List.of("new"), data(fromOlder));
        }
    }

    @Test
    void retention_quietTopicLeavesNoStateAndOlderIdsStillReadAsNotFound() throws Exception {
        try (HistoryStore store = create(10_000, Duration.ofMinutes(5))) {
            String q1 = append(store, "q1", "orders/1");
            String q2 = append(store, "q2", "orders/1");
            append(store, "b1", "busy");
            now.set(now.get().plus(Duration.ofMinutes(6)));
            append(store, "b2", "busy");
            settle(store);
            assertFalse(keepsTopicState(store, "orders/1"), "a topic whose events all expired keeps no state");
            assertTrue(keepsTopicState(store, "busy"));
            Replay fromQ1 = read(store, q1, "orders/1");
            assertFalse(fromQ1.afterIdFound(), "q2 came after q1 and was dropped: a gap");
            assertEquals(List.of(), data(fromQ1));
            append(store, "q3", "orders/1");
            fromQ1 = read(store, q1, "orders/1");
            assertFalse(fromQ1.afterIdFound(), "the topic came back, but q2 is still missing after q1");
            assertEquals(List.of("q3"), data(fromQ1));
            Replay fromQ2 = read(store, q2, "orders/1");
            assertTrue(fromQ2.afterIdFound(), "nothing after q2 was dropped");
            assertEquals(List.of("q3"), data(fromQ2));
        }
    }

    @Test
    void append_concurrentAppendersStayStrictlyOrdered() throws Exception {
        try (HistoryStore store = create()) {
            int threads = 4;
            int each = 100;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<String>>> ids = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int n = t;
                    ids.add(pool.submit(() -> {
                        List<String> mine = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            mine.add(append(store, n + ":" + i, "t"));
                        }
                        return mine;
                    }));
                }
                List<List<String>> perThread = new ArrayList<>();
                for (Future<List<String>> f : ids) {
                    perThread.add(f.get(60, TimeUnit.SECONDS));
                }
                List<Event> all = read(store, HistoryStore.EARLIEST, "t").events();
                assertEquals(threads * each, all.size());
                List<String> order = all.stream().map(e -> e.id().orElseThrow()).toList();
                assertEquals(threads * each, new HashSet<>(order).size(), "ids must be unique");
                for (List<String> mine : perThread) {
                    List<String> seen = order.stream().filter(mine::contains).toList();
                    assertEquals(mine, seen, "one appender's events must read in its append order");
                }
                // Reading after any id gives exactly the events behind it.
                String mid = order.get(order.size() / 2);
                assertEquals(order.subList(order.size() / 2 + 1, order.size()),
                        read(store, mid, "t").events().stream().map(e -> e.id().orElseThrow()).toList());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void append_veryLargeEventKeptWhole() {
        try (HistoryStore store = create()) {
            String big = "x".repeat(1024 * 1024 - 1) + "!";
            append(store, big, "a");
            assertEquals(big, read(store, HistoryStore.EARLIEST, "a").events().get(0).data());
        }
    }

    @Test
    void append_unicodeKeptExactly() {
        try (HistoryStore store = create()) {
            String text = "żółw 🐢 中文 \u00e9\u0301 \uD83D\uDE00 line\nbreak";
            Event in = Event.of(text).withType("тип").withId("ид-1");
            store.append(Set.of("tópico"), in);
            assertEquals(List.of(in), read(store, HistoryStore.EARLIEST, "tópico").events());
        }
    }

    @Test
    void appendBatch_keepsOrderAndIdsWithinAndAcrossBatches() {
        try (HistoryStore store = create()) {
            List<Event> first = store.append(batch("1", "2", "3"));
            List<Event> second = store.append(batch("4", "5"));
            assertEquals(List.of("1", "2", "3"), first.stream().map(Event::data).toList());
            List<String> all = new ArrayList<>(ids(first));
            all.addAll(ids(second));
            assertEquals(5, new HashSet<>(all).size(), "ids are unique: " + all);
            Replay everything = read(store, HistoryStore.EARLIEST, "a");
            assertEquals(List.of("1", "2", "3", "4", "5"), data(everything));
            assertEquals(all, ids(everything.events()), "each event reads under the id its append returned");
            assertEquals(List.of("4", "5"), data(read(store, all.get(2), "a")));
            assertEquals(List.of("3", "4", "5"), data(read(store, all.get(1), "a")));
            assertEquals(all.get(4), store.latestId().orElseThrow());
        }
    }

    @Test
    void appendBatch_withAnIdAlreadyStoredStoresNothingAndNamesIt() {
        try (HistoryStore store = create()) {
            String kept = store.append(Set.of("a"), Event.of("kept").withId("taken")).id().orElseThrow();
            DuplicateIdException e = assertThrows(DuplicateIdException.class, () -> store.append(List.of(
                    new HistoryStore.Entry(Set.of("a"), Event.of("x1")),
                    new HistoryStore.Entry(Set.of("a", "b"), Event.of("x2").withId("fresh")),
                    new HistoryStore.Entry(Set.of("b"), Event.of("x3").withId("taken")),
                    new HistoryStore.Entry(Set.of("b"), Event.of("x4")))));
            assertEquals("taken", e.id());
            assertEquals(List.of("kept"), data(read(store, HistoryStore.EARLIEST, "a", "b")));
            assertEquals(kept, store.latestId().orElseThrow());
            // Nothing of the refused batch was kept: its fresh id is still free.
            assertEquals("fresh", store.append(Set.of("b"), Event.of("y").withId("fresh")).id().orElseThrow());
            assertEquals(List.of("kept", "y"), data(read(store, HistoryStore.EARLIEST, "a", "b")));
        }
    }

    @Test
    void appendBatch_givingAnIdTwiceStoresNothingAndNamesIt() {
        try (HistoryStore store = create()) {
            String before = append(store, "before", "a");
            DuplicateIdException e = assertThrows(DuplicateIdException.class, () -> store.append(List.of(
                    new HistoryStore.Entry(Set.of("a"), Event.of("x1").withId("twice")),
                    new HistoryStore.Entry(Set.of("a"), Event.of("x2")),
                    new HistoryStore.Entry(Set.of("b"), Event.of("x3").withId("twice")))));
            assertEquals("twice", e.id());
            assertEquals(List.of("before"), data(read(store, HistoryStore.EARLIEST, "a", "b")));
            assertEquals(before, store.latestId().orElseThrow());
            String after = append(store, "after", "a");
            assertEquals(List.of("after"), data(read(store, before, "a")), "no id was used up by the refused batch");
            assertEquals(after, store.latestId().orElseThrow());
        }
    }

    @Test
    void appendBatch_mixingGivenAndAssignedIds() {
        try (HistoryStore store = create()) {
            List<Event> stored = store.append(List.of(
                    new HistoryStore.Entry(Set.of("a"), Event.of("1")),
                    new HistoryStore.Entry(Set.of("a", "b"), Event.of("2").withId("mine-2")),
                    new HistoryStore.Entry(Set.of("b"), Event.of("3")),
                    new HistoryStore.Entry(Set.of("a"), Event.of("4").withId("mine-4"))));
            assertEquals("mine-2", stored.get(1).id().orElseThrow());
            assertEquals("mine-4", stored.get(3).id().orElseThrow());
            assertEquals(4, new HashSet<>(ids(stored)).size());
            assertEquals(ids(stored), ids(read(store, HistoryStore.EARLIEST, "a", "b").events()));
            assertEquals(List.of("3", "4"), data(read(store, "mine-2", "a", "b")));
            assertEquals(List.of("2", "3"), data(read(store, stored.get(0).id().orElseThrow(), "b")));
            assertEquals(List.of("4"), data(read(store, stored.get(2).id().orElseThrow(), "a")));
            assertEquals("mine-4", store.latestId().orElseThrow());
        }
    }

    @Test
    void appendBatch_concurrentAppendersOnTwoNodesEachEventOnceInIdOrder() throws Exception {
        try (HistoryStore one = create()) {
            HistoryStore two = secondNode(one);
            try {
                List<List<String>> perThread = appendConcurrently(List.of(one, one, two, two), 25);
                List<String> acknowledged = perThread.stream().flatMap(List::stream).toList();
                assertEquals(acknowledged.size(), new HashSet<>(acknowledged).size(), "ids are unique");
                for (HistoryStore node : List.of(one, two)) {
                    List<String> order = ids(read(node, HistoryStore.EARLIEST, "a", "b").events());
                    assertEquals(order.size(), new HashSet<>(order).size(), "each event is read once");
                    assertEquals(new HashSet<>(acknowledged), new HashSet<>(order), "every acknowledged event, no other");
                    for (List<String> mine : perThread) {
                        assertEquals(mine, order.stream().filter(new HashSet<>(mine)::contains).toList(),
                                "an appender's events read in the order it appended them");
                    }
                    String mid = order.get(order.size() / 3);
                    assertEquals(order.subList(order.size() / 3 + 1, order.size()),
                            ids(read(node, mid, "a", "b").events()), "reading after an id gives what follows it");
                }
            } finally {
                if (two != one) {
                    two.close();
                }
            }
        }
    }

    /**
     * Appends batches of 1 to 8 events from one thread per store, on topics a, b or both, with a given
     * id now and then.
     *
     * @return each thread's acknowledged ids in the order it got them
     */
    static List<List<String>> appendConcurrently(List<HistoryStore> threads, int batches) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads.size());
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < threads.size(); t++) {
                int n = t;
                HistoryStore store = threads.get(t);
                futures.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(n);
                    List<String> mine = new ArrayList<>();
                    go.await();
                    for (int b = 0; b < batches; b++) {
                        List<HistoryStore.Entry> entries = new ArrayList<>();
                        for (int i = random.nextInt(8); i >= 0; i--) {
                            Set<String> topics = switch (random.nextInt(3)) {
                                case 0 -> Set.of("a");
                                case 1 -> Set.of("b");
                                default -> Set.of("a", "b");
                            };
                            Event e = Event.of(n + ":" + b + ":" + i);
                            entries.add(new HistoryStore.Entry(topics,
                                    random.nextInt(4) == 0 ? e.withId("t" + n + "-" + b + "-" + i) : e));
                        }
                        mine.addAll(ids(store.append(entries)));
                    }
                    return mine;
                }));
            }
            go.countDown();
            List<List<String>> out = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
