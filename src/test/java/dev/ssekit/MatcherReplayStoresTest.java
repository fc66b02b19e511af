package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A subscription by matcher replays from the durable and shared stores through the registry, then
 * goes live: on H2 (one node), and on Redis across two nodes, where the client reconnects to the
 * node that did not publish.
 */
class MatcherReplayStoresTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TopicMatcher ORDERS = topics -> topics.stream().anyMatch(t -> t.startsWith("orders/"));

    @Test
    void subscribe_matcherReplaysFromH2ThenLive() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + Path.of("target", "h2-history", "m2_" + UUID.randomUUID()).toAbsolutePath());
        try (HistoryStore store = JdbcHistoryStore.builder(h2).pruneInterval(null).build();
             Hub topics = Hub.builder().history(store).build()) {
            assertReplaysThenLive(topics, topics);
        }
    }

    @Test
    void subscribe_matcherReplaysOnTheOtherRedisNodeThenLive() {
        Services.requireRedis();
        String prefix = "m2_" + UUID.randomUUID() + ":";
        try (HistoryStore a = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).build();
             HistoryStore b = RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).build();
             Hub nodeA = Hub.builder().history(a).build();
             Hub nodeB = Hub.builder().history(b).build()) {
            assertReplaysThenLive(nodeA, nodeB);
        } finally {
            RedisKeys.deleteAll(prefix);
        }
    }

    /** Publishes on one registry, subscribes by matcher on the other after the first id. */
    private static void assertReplaysThenLive(Hub publisher, Hub subscriber) {
        String first = publisher.publish(List.of("orders/1"), Event.of("1")).id();
        publisher.publish(List.of("other"), Event.of("x"));
        String second = publisher.publish(List.of("orders/2", "other"), Event.of("2")).id();
        FakeSse.Sink sink = new FakeSse.Sink();
        Subscription s = subscriber.subscribe(subscriber.open(sink), List.of(), first, ORDERS);
        assertEquals(first, s.replayStartedAfter().orElseThrow());
        assertEquals(1, s.replayed());
        String third = publisher.publish(List.of("orders/3"), Event.of("3")).id();
        publisher.publish(List.of("other"), Event.of("y"));
        String end = publisher.publish(List.of("orders/end"), Event.of("end")).id();
        await().atMost(WAIT).until(() -> sink.ids().contains(end));
        assertEquals(List.of(second, third, end), sink.ids());
    }
}
