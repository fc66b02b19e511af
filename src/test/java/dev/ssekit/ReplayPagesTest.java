package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.internal.config.SseKitConfig;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.ForwardingStore;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay on every store (memory, H2, PostgreSQL, Redis): read in pages as the client takes them,
 * capped per connection with the data-loss signal past the cap, live events after the replay with
 * no gap and no duplicate. PostgreSQL and Redis are skipped when unreachable (unless
 * SSEKIT_REQUIRE_SERVICES=1).
 */
class ReplayPagesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** What Dispatcher reads at a time. */
    private static final int PAGE = 500;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgres", "redis"})
    void subscribe_pastTheReplayCapSignalsLossAndStartsLive(String kind) {
        try (Stores stores = new Stores(kind);
             Hub topics = SseKitConfig.read(dev.ssekit.internal.Settings.of(Map.of("ssekit.replay.max.events", "5")))
                     .applyTo(Hub.builder().history(stores.open())).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ids.add(topics.publish(List.of("t"), Event.of("e" + i)).id());
            }
            FakeSse.Sink sink = new FakeSse.Sink();
            Subscription s = topics.subscribe(topics.open(sink), List.of("t"), ids.get(0));
            // Seven missed, five allowed: none replayed, and replay says it starts after the newest,
            // not after the id asked for.
            assertEquals(ids.get(7), s.replayStartedAfter().orElseThrow());
            assertEquals(0, s.replayed());
            String live = topics.publish(List.of("t"), Event.of("live")).id();
            await().atMost(WAIT).until(() -> sink.ids().contains(live));
            assertEquals(List.of(live), sink.ids());

            // At the cap exactly: everything, from the id asked for.
            FakeSse.Sink within = new FakeSse.Sink();
            Subscription w = topics.subscribe(topics.open(within), List.of("t"), ids.get(3));
            assertEquals(ids.get(3), w.replayStartedAfter().orElseThrow());
            assertEquals(5, w.replayed());
            await().atMost(WAIT).until(() -> within.ids().size() == 5);
            assertEquals(List.of(ids.get(4), ids.get(5), ids.get(6), ids.get(7), live), within.ids());
        }
    }

    @org.junit.jupiter.api.Test
    void subscribe_withNoCapReplaysEverything() {
        try (Hub topics = Hub.builder().maxReplayEvents(Integer.MAX_VALUE).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(topics.publish(List.of("t"), Event.of("e" + i)).id());
            }
            FakeSse.Sink sink = new FakeSse.Sink();
            Subscription s = topics.subscribe(topics.open(sink), List.of("t"), HistoryStore.EARLIEST);
            assertEquals(3, s.replayed());
            await().atMost(WAIT).until(() -> sink.ids().size() == 3);
            assertEquals(ids, sink.ids());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgres", "redis"})
    void subscribe_largeHistoryIsReadAPageAtATimeAsTheClientTakesIt(String kind) {
        int history = 3 * PAGE + 7;
        try (Stores stores = new Stores(kind)) {
            RecordingStore store = new RecordingStore(stores.open());
            List<String> ids = append(store, history);
            try (Hub topics = Hub.builder().history(store).build()) {
                HeldSink sink = new HeldSink();
                Subscription s = topics.subscribe(topics.open(sink), List.of("t"),
                        HistoryStore.EARLIEST);
                assertEquals(history, s.replayed());
                String live = topics.publish(List.of("t"), Event.of("live")).id();
                List<Integer> readsAtWrite = new ArrayList<>();
                List<String> got = sink.takeAll(history + 1, sofar -> readsAtWrite.add(store.reads.get()));
                List<String> expected = new ArrayList<>(ids);
                expected.add(live);
                assertEquals(expected, got);
                // No read holds more than a page.
                assertTrue(store.sizes.stream().allMatch(n -> n <= PAGE), "events per read: " + store.sizes);
                // Before anything is written: one count the store answers, and the first page. Then each
                // page is read once the one before is written (a write takes one page at most): the
                // head, page 1, 2, 3, 4, then the live event.
                assertEquals(1, store.counts.get(), "counts");
                assertEquals(List.of(1, 1, 2, 3, 4, 4), readsAtWrite, "reads when each write was made; "
                        + "events per read: " + store.sizes);
                sink.releaseAll();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgres", "redis"})
    void subscribe_liveEventsDuringAPagedReplayComeOnceAfterIt(String kind) {
        int history = 2 * PAGE + 3;
        try (Stores stores = new Stores(kind)) {
            HistoryStore store = stores.open();
            List<String> ids = append(store, history);
            try (Hub topics = Hub.builder().history(store).build()) {
            HeldSink sink = new HeldSink();
            // An exact topic and a matcher: both read paths page.
            TopicMatcher m = t -> t.contains("m");
            topics.subscribe(topics.open(sink), List.of("t"), ids.get(0), m);
            List<String> live = new ArrayList<>();
            List<String> got = sink.takeAll(history - 1 + 3, sofar -> {
                if (live.isEmpty() && !sofar.isEmpty()) {
                    // The first page is being written, the others not read yet: published now, on the
                    // exact topic, the matcher's and both, they wait behind the whole replay.
                    live.add(topics.publish(List.of("t"), Event.of("l1")).id());
                    live.add(topics.publish(List.of("m"), Event.of("l2")).id());
                    live.add(topics.publish(List.of("t", "m"), Event.of("l3")).id());
                }
            });
            List<String> expected = new ArrayList<>(ids.subList(1, history));
            expected.addAll(live);
            assertEquals(expected.size(), got.size());
            assertEquals(expected, got);
            String after = topics.publish(List.of("t"), Event.of("after")).id();
            assertEquals(List.of(after), sink.takeAll(1, sofar -> { }));
            sink.releaseAll();
            }
        }
    }

    /** Stores {@code n} events on topic t in one batch, before the registry starts; the store closes with it. */
    private static List<String> append(HistoryStore store, int n) {
        List<HistoryStore.Entry> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batch.add(new HistoryStore.Entry(Set.of("t"), Event.of("e" + i)));
        }
        List<String> ids = new ArrayList<>(n);
        for (Event e : store.append(batch)) {
            ids.add(e.id().orElseThrow());
        }
        return ids;
    }

    /** A store that counts its replay reads and records how many events each returned, and counts its counts. */
    private static final class RecordingStore extends ForwardingStore {
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger counts = new AtomicInteger();
        final List<Integer> sizes = new CopyOnWriteArrayList<>();

        RecordingStore(HistoryStore delegate) {
            super(delegate);
        }

        private Replay recorded(Replay r) {
            reads.incrementAndGet();
            sizes.add(r.events().size());
            return r;
        }

        @Override
        public Replay read(Set<String> topics, String afterId, String untilId) {
            return recorded(delegate.read(topics, afterId, untilId));
        }

        @Override
        public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
            return recorded(delegate.readMatching(matcher, afterId, untilId));
        }

        // No @Override: these compile where the SPI has no page reads, and are then never called.
        public Replay readPage(Set<String> topics, String afterId, String untilId, int limit) {
            return recorded(delegate.readPage(topics, afterId, untilId, limit));
        }

        public Replay readMatchingPage(TopicMatcher matcher, String afterId, String untilId, int limit) {
            return recorded(delegate.readMatchingPage(matcher, afterId, untilId, limit));
        }

        @Override
        public int count(Set<String> topics, String afterId, String untilId, int limit) {
            counts.incrementAndGet();
            return delegate.count(topics, afterId, untilId, limit);
        }
    }

    /** A client that takes one write at a time: each send stays in flight until {@link #takeAll} completes it. */
    private static final class HeldSink implements SseEventSink {
        private record Held(OutboundSseEvent event, CompletableFuture<Void> done) {
        }

        private final ConcurrentLinkedQueue<Held> inFlight = new ConcurrentLinkedQueue<>();
        private volatile boolean closed;
        private volatile boolean released;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (released) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            inFlight.add(new Held(event, done));
            return done;
        }

        @Override
        public void close() {
            closed = true;
        }

        /**
         * Completes writes one at a time until {@code n} message events were taken.
         *
         * @param beforeEach told, before each write completes, of the ids taken so far (that write's included)
         * @return the ids taken, in order
         */
        List<String> takeAll(int n, java.util.function.Consumer<List<String>> beforeEach) {
            List<String> ids = new ArrayList<>();
            while (ids.size() < n) {
                await().atMost(WAIT).until(() -> !inFlight.isEmpty());
                Held h = inFlight.poll();
                assertTrue(inFlight.isEmpty(), "a second write while one was in flight");
                ids.addAll(idsOf(h.event));
                beforeEach.accept(List.copyOf(ids));
                h.done.complete(null);
            }
            assertEquals(n, ids.size(), "more events than expected: " + ids);
            return ids;
        }

        /** From now on takes every write at once, so that the registry's close need not wait for it. */
        void releaseAll() {
            released = true;
            for (Held h; (h = inFlight.poll()) != null; ) {
                h.done.complete(null);
            }
        }

        private static List<String> idsOf(OutboundSseEvent e) {
            FakeSse.Sink one = new FakeSse.Sink();
            one.send(e);
            return one.ids();
        }
    }

    /** Opens the store of one kind, skipping when its server is unreachable, and removes its data. */
    private static final class Stores implements AutoCloseable {
        private final String kind;
        private final String prefix = Services.tablePrefix("rp_");

        Stores(String kind) {
            this.kind = kind;
            if (kind.equals("postgres")) {
                Services.requirePostgres();
            } else if (kind.equals("redis")) {
                Services.requireRedis();
            }
        }

        private final List<HistoryStore> opened = new ArrayList<>();

        HistoryStore open() {
            HistoryStore store = make();
            opened.add(store);
            return store;
        }

        private HistoryStore make() {
            switch (kind) {
                case "memory":
                    return InMemoryHistoryStore.builder().maxEventsPerTopic(100_000).build();
                case "h2": {
                    JdbcDataSource h2 = new JdbcDataSource();
                    h2.setURL("jdbc:h2:file:" + Path.of("target", "h2-history", prefix).toAbsolutePath());
                    return JdbcHistoryStore.builder(h2).pruneInterval(null).maxEventsPerTopic(100_000).build();
                }
                case "postgres": {
                    PGSimpleDataSource pg = Services.postgres();
                    return JdbcHistoryStore.builder(pg).tablePrefix(prefix).pruneInterval(null)
                            .maxEventsPerTopic(100_000).build();
                }
                case "redis":
                    return RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix + ":")
                            .maxEventsPerTopic(100_000).build();
                default:
                    throw new IllegalArgumentException(kind);
            }
        }

        @Override
        public void close() {
            opened.forEach(HistoryStore::close);
            if (kind.equals("redis")) {
                RedisKeys.deleteAll(prefix + ":");
            }
        }
    }
}
