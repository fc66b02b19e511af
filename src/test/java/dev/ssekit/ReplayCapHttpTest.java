package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.ForwardingStore;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.StreamResource;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The replay cap over HTTP on every store (memory, H2, PostgreSQL, Redis): whether a client missed
 * more than {@code ssekit.replay.max.events} is one count the store answers, before any event is
 * read; past the cap the client gets the data-loss signal ({@code Mercure-Last-Event-ID} naming the
 * newest event) and the live events only. For a matcher the cap counts every event of the range,
 * whatever its topics, so that a matcher that accepts little never makes a replay scan more than the
 * cap. PostgreSQL and Redis are skipped when unreachable (unless SSEKIT_REQUIRE_SERVICES=1).
 */
class ReplayCapHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** More than one page (500): the count used to read pages until it passed the cap. */
    private static final int CAP = 600;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgres", "redis"})
    void subscribe_pastTheCapSignalsLossAfterOneCount(String kind) throws Exception {
        try (Served s = new Served(kind)) {
            List<String> ids = s.append(CAP + 1, "t");
            s.start();
            try (RawSseClient c = RawSseClient.open(s.base, "/s/topics?topic=t",
                    Map.of("Last-Event-ID", HistoryStore.EARLIEST))) {
                assertEquals(200, c.awaitStatus(WAIT));
                assertEquals(ids.get(CAP), c.header("Mercure-Last-Event-ID"), "the data-loss signal: the newest id");
                assertEquals(List.of("count"), s.store.calls, "one count, no event read");
                String live = s.topics.publish(List.of("t"), Event.of("live")).id();
                assertEquals(live, c.next(WAIT).id(), "nothing replayed: the first event is the live one");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgres", "redis"})
    void subscribe_aMatcherPastTheCapCountsEveryTopicAndReadsNothing(String kind) throws Exception {
        try (Served s = new Served(kind)) {
            String mine = s.append(1, "orders/1").get(0);
            List<String> others = s.append(CAP, "other");
            s.start();
            // The matcher takes one event of the range, but the range holds more than the cap: the
            // store would have to look at all of them to find it.
            String live;
            try (RawSseClient c = RawSseClient.open(s.base, "/s/prefix?prefix=orders/",
                    Map.of("Last-Event-ID", HistoryStore.EARLIEST))) {
                assertEquals(200, c.awaitStatus(WAIT));
                assertEquals(others.get(CAP - 1), c.header("Mercure-Last-Event-ID"));
                assertEquals(List.of("count"), s.store.calls);
                live = s.topics.publish(List.of("orders/2"), Event.of("live")).id();
                assertEquals(live, c.next(WAIT).id());
            }
            // From the newest the range is within the cap: replayed, the matcher choosing.
            String next = s.topics.publish(List.of("orders/3"), Event.of("next")).id();
            s.store.calls.clear();
            try (RawSseClient c = RawSseClient.open(s.base, "/s/prefix?prefix=orders/",
                    Map.of("Last-Event-ID", live))) {
                assertEquals(200, c.awaitStatus(WAIT));
                assertEquals(live, c.header("Mercure-Last-Event-ID"));
                assertEquals(next, c.next(WAIT).id());
                assertEquals(List.of("count", "readMatchingPage"), s.store.calls);
            }
            assertEquals(mine, s.store.read(Set.of("orders/1"), HistoryStore.EARLIEST, null).events().get(0).id()
                    .orElseThrow());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "h2", "postgres", "redis"})
    void subscribe_atTheCapReplaysEverythingAPageAtATime(String kind) throws Exception {
        try (Served s = new Served(kind)) {
            List<String> ids = s.append(CAP, "t");
            s.start();
            try (RawSseClient c = RawSseClient.open(s.base, "/s/topics?topic=t",
                    Map.of("Last-Event-ID", HistoryStore.EARLIEST))) {
                assertEquals(200, c.awaitStatus(WAIT));
                assertEquals(HistoryStore.EARLIEST, c.header("Mercure-Last-Event-ID"));
                List<String> got = new ArrayList<>();
                c.next(CAP, WAIT).forEach(e -> got.add(e.id()));
                assertEquals(ids, got);
                String live = s.topics.publish(List.of("t"), Event.of("live")).id();
                assertEquals(live, c.next(WAIT).id());
                // The count, the first page, and the rest once the first was written.
                assertEquals(List.of("count", "readPage", "readPage"), s.store.calls);
            }
        }
    }

    /** A real store that records the replay calls made to it, by name. */
    private static final class CallsStore extends ForwardingStore {
        final List<String> calls = new CopyOnWriteArrayList<>();

        CallsStore(HistoryStore delegate) {
            super(delegate);
        }

        @Override
        public Replay read(Set<String> topics, String afterId, String untilId) {
            calls.add("read");
            return delegate.read(topics, afterId, untilId);
        }

        @Override
        public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
            calls.add("readMatching");
            return delegate.readMatching(matcher, afterId, untilId);
        }

        @Override
        public Replay readPage(Set<String> topics, String afterId, String untilId, int limit) {
            calls.add("readPage");
            return delegate.readPage(topics, afterId, untilId, limit);
        }

        @Override
        public Replay readMatchingPage(TopicMatcher matcher, String afterId, String untilId, int limit) {
            calls.add("readMatchingPage");
            return delegate.readMatchingPage(matcher, afterId, untilId, limit);
        }

        @Override
        public int count(Set<String> topics, String afterId, String untilId, int limit) {
            calls.add("count");
            return delegate.count(topics, afterId, untilId, limit);
        }
    }

    /** One store of a kind, recorded, behind a registry with the cap, served over HTTP on loopback. */
    private static final class Served implements AutoCloseable {
        private final String kind;
        private final String prefix = Services.tablePrefix("rc_");
        final CallsStore store;
        Hub topics;
        HttpServer server;
        URI base;

        Served(String kind) {
            this.kind = kind;
            store = new CallsStore(open(kind, prefix));
        }

        /** Starts the registry, which takes the newest event as its high-water mark, and the server. */
        void start() {
            topics = Hub.builder().history(store).maxReplayEvents(CAP).build();
            server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                    new ResourceConfig().registerInstances(new StreamResource(topics)).register(SseKitFeature.class));
            base = URI.create("http://127.0.0.1:" + server.getListeners().iterator().next().getPort() + "/");
            store.calls.clear();
        }

        /** Stores {@code n} events on {@code topic} straight into the store, in one batch, before {@link #start}. */
        List<String> append(int n, String topic) {
            List<HistoryStore.Entry> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(new HistoryStore.Entry(Set.of(topic), Event.of(topic + i)));
            }
            List<String> ids = new ArrayList<>(n);
            for (Event e : store.append(batch)) {
                ids.add(e.id().orElseThrow());
            }
            return ids;
        }

        private static HistoryStore open(String kind, String prefix) {
            switch (kind) {
                case "memory":
                    return InMemoryHistoryStore.create();
                case "h2": {
                    JdbcDataSource h2 = new JdbcDataSource();
                    h2.setURL("jdbc:h2:file:" + Path.of("target", "h2-history", prefix).toAbsolutePath());
                    return JdbcHistoryStore.builder(h2).pruneInterval(null).build();
                }
                case "postgres":
                    Services.requirePostgres();
                    return JdbcHistoryStore.builder(Services.postgres()).tablePrefix(prefix).pruneInterval(null).build();
                case "redis":
                    Services.requireRedis();
                    return RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix + ":").build();
                default:
                    throw new IllegalArgumentException(kind);
            }
        }

        @Override
        public void close() {
            if (server != null) {
                server.shutdownNow();
                topics.close();
            }
            store.close();
            if (kind.equals("redis")) {
                RedisKeys.deleteAll(prefix + ":");
            }
        }
    }
}
