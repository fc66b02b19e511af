package dev.ssekit;

import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.GatedStore;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Races at the replay-to-live handoff, pinned with a gated store and in-memory sinks. */
class HandoffRaceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void publish_throwingFilterRejectsOnlyForItsSubscriber() {
        try (Hub topics = Hub.builder().build()) {
            Topic<String> hub = topics.topic("t", String.class);
            FakeSse.Sink picky = new FakeSse.Sink();
            hub.subscribe(topics.open(picky), null, v -> {
                if (v.equals("boom")) {
                    throw new IllegalStateException("bad predicate");
                }
                return true;
            });
            FakeSse.Sink all = new FakeSse.Sink();
            hub.subscribe(topics.open(all), null);
            String a = hub.publish("a").id();
            String boom = hub.publish("boom").id();
            String c = hub.publish("c").id();
            await().atMost(WAIT).until(() -> all.ids().size() == 3 && picky.ids().size() == 2);
            assertEquals(List.of(a, boom, c), all.ids());
            assertEquals(List.of(a, c), picky.ids());
            FakeSse.Sink back = new FakeSse.Sink();
            hub.subscribe(topics.open(back), a);
            await().atMost(WAIT).until(() -> back.ids().size() == 2);
            assertEquals(List.of(boom, c), back.ids(), "the event stored before the filter failed is replayed");
        }
    }

    @Test
    void close_duringReplayWritesTheReplayBeforeEnding() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.create());
        try (Hub topics = Hub.builder().history(store).build()) {
            String e1 = topics.publish(List.of("t"), Event.of("1")).id();
            String e2 = topics.publish(List.of("t"), Event.of("2")).id();
            String e3 = topics.publish(List.of("t"), Event.of("3")).id();
            store.closeGate();
            FakeSse.Sink sink = new FakeSse.Sink();
            Conn conn = topics.open(sink);
            CompletableFuture<Subscription> sub =
                    CompletableFuture.supplyAsync(() -> topics.subscribe(conn, List.of("t"), e1));
            assertTrue(store.readStarted.await(10, TimeUnit.SECONDS));
            String e4 = topics.publish(List.of("t"), Event.of("4")).id();
            conn.close();
            store.gate.countDown();
            sub.get(10, TimeUnit.SECONDS);
            assertEquals(Conn.CloseReason.CLOSED, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals(List.of(e2, e3, e4), sink.ids());
        }
    }

    @Test
    void subscribe_expiredHighWaterMarkDeliversNoDuplicate() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.builder().maxEventsPerTopic(3).build());
        try (Hub topics = Hub.builder().history(store).build()) {
            for (String id : List.of("a", "b", "c")) {
                topics.publish(List.of("t"), Event.of(id).withId(id));
            }
            topics.publish(List.of("other"), Event.of("x").withId("x")); // the high-water mark
            store.closeGate();
            FakeSse.Sink sink = new FakeSse.Sink();
            Conn conn = topics.open(sink);
            CompletableFuture<Subscription> sub =
                    CompletableFuture.supplyAsync(() -> topics.subscribe(conn, List.of("t"), "b"));
            assertTrue(store.readStarted.await(10, TimeUnit.SECONDS));
            for (String id : List.of("y1", "y2", "y3")) {
                topics.publish(List.of("other"), Event.of(id).withId(id)); // drops "x"
            }
            topics.publish(List.of("t"), Event.of("d").withId("d")); // live, and read past the lost mark
            store.gate.countDown();
            assertEquals("b", sub.get(10, TimeUnit.SECONDS).replayStartedAfter().orElseThrow());
            await().atMost(WAIT).until(() -> sink.ids().size() >= 2);
            assertEquals(List.of("c", "d"), sink.ids());
            // One more live event proves nothing else was queued behind.
            topics.publish(List.of("t"), Event.of("e").withId("e"));
            await().atMost(WAIT).until(() -> sink.ids().size() >= 3);
            assertEquals(List.of("c", "d", "e"), sink.ids());
        }
    }

    @Test
    void subscribe_matcherReplayHandsOffToLiveWithoutGapOrDuplicate() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.create());
        try (Hub topics = Hub.builder().history(store).build()) {
            String e1 = topics.publish(List.of("orders/1"), Event.of("1")).id();
            String e2 = topics.publish(List.of("orders/2"), Event.of("2")).id();
            topics.publish(List.of("other"), Event.of("x"));
            String both = topics.publish(List.of("other", "orders/3"), Event.of("both")).id();
            store.closeGate();
            FakeSse.Sink sink = new FakeSse.Sink();
            Conn conn = topics.open(sink);
            TopicMatcher orders = t -> t.stream().anyMatch(topic -> topic.startsWith("orders/"));
            CompletableFuture<Subscription> sub =
                    CompletableFuture.supplyAsync(() -> topics.subscribe(conn, List.of("exact"), e1, orders));
            assertTrue(store.readStarted.await(10, TimeUnit.SECONDS));
            // Published while the replay's read waits: each must come once, after the replay.
            String e4 = topics.publish(List.of("orders/4"), Event.of("4")).id();
            topics.publish(List.of("other"), Event.of("y"));
            String exact = topics.publish(List.of("exact"), Event.of("exact")).id();
            store.gate.countDown();
            Subscription s = sub.get(10, TimeUnit.SECONDS);
            assertEquals(e1, s.replayStartedAfter().orElseThrow());
            assertEquals(2, s.replayed());
            await().atMost(WAIT).until(() -> sink.ids().size() >= 4);
            assertEquals(List.of(e2, both, e4, exact), sink.ids());
            String e5 = topics.publish(List.of("orders/5"), Event.of("5")).id();
            await().atMost(WAIT).until(() -> sink.ids().size() >= 5);
            assertEquals(List.of(e2, both, e4, exact, e5), sink.ids());
        }
    }

    @Test
    void subscribe_matcherReplayPastAnExpiredHighWaterMarkDeliversNoDuplicate() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.builder().maxEventsPerTopic(3).build());
        try (Hub topics = Hub.builder().history(store).build()) {
            for (String id : List.of("a", "b", "c")) {
                topics.publish(List.of("t/" + id), Event.of(id).withId(id));
            }
            topics.publish(List.of("other"), Event.of("x").withId("x")); // the high-water mark
            store.closeGate();
            FakeSse.Sink sink = new FakeSse.Sink();
            Conn conn = topics.open(sink);
            TopicMatcher t = topicSet -> topicSet.iterator().next().startsWith("t/");
            CompletableFuture<Subscription> sub =
                    CompletableFuture.supplyAsync(() -> topics.subscribe(conn, List.of(), "b", t));
            assertTrue(store.readStarted.await(10, TimeUnit.SECONDS));
            for (String id : List.of("y1", "y2", "y3")) {
                topics.publish(List.of("other"), Event.of(id).withId(id)); // drops "x"
            }
            topics.publish(List.of("t/d"), Event.of("d").withId("d")); // live, and read past the lost mark
            store.gate.countDown();
            // "x" was dropped after "b": a read by matcher cannot tell whether it mattered, so it
            // replays everything retained and says so.
            assertEquals("earliest", sub.get(10, TimeUnit.SECONDS).replayStartedAfter().orElseThrow());
            await().atMost(WAIT).until(() -> sink.ids().size() >= 4);
            topics.publish(List.of("t/e"), Event.of("e").withId("e"));
            await().atMost(WAIT).until(() -> sink.ids().size() >= 5);
            assertEquals(List.of("a", "b", "c", "d", "e"), sink.ids(), "d read past the mark and queued live: once");
        }
    }

    @Test
    void subscribe_matcherWithFiltersIsRefused() {
        try (Hub topics = Hub.builder().build()) {
            Conn conn = topics.open(new FakeSse.Sink());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> topics.dispatcher()
                    .subscribe(conn.connection(), java.util.Map.of("t", (v, ev) -> true), x -> true, null));
            assertEquals("filters: a subscription with a topic matcher takes no filters", e.getMessage());
            assertEquals(0, topics.clients());
        }
    }

    @Test
    void subscribe_onClosedRegistryEndsTheUnstartedConnection() throws Exception {
        Hub topics = Hub.builder().build();
        Conn conn = topics.open(new FakeSse.Sink());
        topics.close();
        assertThrows(HubClosedException.class, () -> topics.subscribe(conn, List.of("t"), null));
        assertEquals(Conn.CloseReason.HUB_CLOSED, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void subscribe_replayOnAnAlreadySubscribedConnectionIsRefused() {
        try (Hub topics = Hub.builder().build()) {
            Conn conn = topics.open(new FakeSse.Sink());
            topics.subscribe(conn, List.of("a"), null);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> topics.subscribe(conn, List.of("b"), "earliest"));
            assertEquals("a connection replays only at its first subscription; subscribe to all its topics "
                    + "in one call", e.getMessage());
            topics.subscribe(conn, List.of("b"), null); // live-only additions stay allowed
            assertEquals(1, topics.clients());
        }
    }

    @Test
    void close_cutsConnectionsThatDoNotEndInTime() throws Exception {
        Hub topics = Hub.builder().writeTimeout(Duration.ofMillis(200)).build();
        FakeSse.Sink sink = new FakeSse.Sink();
        Conn conn = topics.open(sink);
        // A connection still holding for a replay that will not come cannot end gracefully.
        conn.connection().holdForReplay();
        topics.close();
        assertEquals(Conn.CloseReason.HUB_CLOSED, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
}
