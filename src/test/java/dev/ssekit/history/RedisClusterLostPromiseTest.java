package dev.ssekit.history;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.Subscription;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partition's promise lost in a failover, on the test Redis Cluster (three partitions): a node's
 * follow hands on an event of partition 2 once partition 1 promised ({@code FENCE}: its fence key)
 * to assign no id at or below it; then partition 1's primary loses that promise, as a failover to
 * a replica that had not got the fence's write would, and its clock is behind partition 2's (the
 * only way it can then give an id below one handed on, docs/operations.md). Partition 1's next id
 * is below the one the node handed on: the node must not hand that event on (the order would
 * break), must raise partition 1's marks so that replays from what it handed on give the data-loss
 * signal, and must make its clients catch up by replay; nothing is delivered twice, and appends
 * after it are delivered again.
 *
 * <p>The skew is a node whose appends take Redis's clock as a minute ahead
 * ({@code serverClockAhead}): partition 2's event carries an id a minute ahead of partition 1's
 * clock, as if partition 1's promoted replica's clock were a minute behind.
 */
class RedisClusterLostPromiseTest {
    private static final int PARTITIONS = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How far partition 1's clock is behind the id handed on under its promise. */
    private static final Duration SKEW = Duration.ofMinutes(1);
    private final String prefix = "ssekit-test:" + UUID.randomUUID() + ":";
    /** Homed on partition 1, whose promise is lost. */
    private final String slow = topicOf(1);
    /** Homed on partition 2, whose event is handed on under partition 1's promise. */
    private final String ahead = topicOf(2);
    /** Homed on partition 0. */
    private final String other = topicOf(0);

    @BeforeEach
    void requireCluster() {
        Services.requireRedisCluster();
    }

    @AfterEach
    void deleteKeys() {
        RedisKeys.deleteAll(RedisKeys.CLUSTER_URI, prefix);
    }

    private RedisHistoryStore.Builder builder() {
        return RedisHistoryStore.builder(RedisKeys.CLUSTER_URI).keyPrefix(prefix).partitions(PARTITIONS);
    }

    /** @return the store's key {@code name} in partition {@code k} */
    private String key(int k, String name) {
        return "{" + RedisHistoryStore.tag(prefix, k, PARTITIONS) + "}" + name;
    }

    /** @return the first of t0, t1, ... whose home is partition {@code k} */
    private static String topicOf(int k) {
        for (int i = 0; ; i++) {
            if (RedisHistoryStore.home("t" + i, PARTITIONS) == k) {
                return "t" + i;
            }
        }
    }

    private static int compare(String a, String b) {
        return RedisHistoryStore.BY_STREAM_ID.compare(a, b);
    }

    private static String id(Event e) {
        return e.id().orElseThrow();
    }

    /** Records what a follow hands on and how often it was told it missed events. */
    private static final class Recorded implements SharedHistoryStore.AppendListener {
        final List<String> ids = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger missed = new AtomicInteger();

        @Override
        public void appended(Set<String> topics, Event event, String position) {
            ids.add(position);
        }

        @Override
        public void missedEvents() {
            missed.incrementAndGet();
        }

        List<String> ids() {
            synchronized (ids) {
                return List.copyOf(ids);
            }
        }
    }

    /** The event handed on under partition 1's promise, and the one partition 1 gave below it after losing it. */
    private record LostPromise(String handedOn, String below) {
    }

    /**
     * With a node following (what it handed on: {@code delivered}), {@code aheadNode} appends to
     * partition 2 an event that the node hands on once partition 1 promised up to it; partition 1's
     * primary then loses that promise (its fence key goes back to what it held before, as on a
     * replica that had not got the write), and {@code behindNode} appends to partition 1.
     */
    private LostPromise losePromise(RedisHistoryStore aheadNode, RedisHistoryStore behindNode,
                                    Supplier<List<String>> delivered) {
        String fence = key(1, "fence");
        String before = RedisKeys.on(RedisKeys.CLUSTER_URI, r -> r.get(fence));
        String handedOn = id(aheadNode.append(Set.of(ahead), Event.of("handed on")));
        await().atMost(WAIT).until(() -> delivered.get().contains(handedOn));
        assertEquals(handedOn, RedisKeys.on(RedisKeys.CLUSTER_URI, r -> r.get(fence)),
                "the node handed " + handedOn + " on once partition 1 promised up to it");
        // The failover: partition 1's new primary never got the promise.
        RedisKeys.on(RedisKeys.CLUSTER_URI, r -> before == null ? r.del(fence) : r.set(fence, before));
        String below = id(behindNode.append(Set.of(slow), Event.of("below")));
        assertTrue(compare(below, handedOn) < 0, "partition 1, its promise lost and its clock behind, gave "
                + below + ", below " + handedOn + " which the node handed on");
        return new LostPromise(handedOn, below);
    }

    /** Appends once more to each partition; @return their ids */
    private List<String> appendAfter(RedisHistoryStore aheadNode, RedisHistoryStore behindNode) {
        return List.of(id(behindNode.append(Set.of(slow), Event.of("after, partition 1"))),
                id(aheadNode.append(Set.of(ahead), Event.of("after, partition 2"))),
                id(behindNode.append(Set.of(other), Event.of("after, partition 0"))));
    }

    private static void assertRising(List<String> ids, String what) {
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(compare(ids.get(i - 1), ids.get(i)) < 0,
                    what + " rise, each once: " + ids.get(i - 1) + " then " + ids.get(i) + " in " + ids);
        }
    }

    @Test
    void follow_idBelowWhatWasHandedOnAfterALostPromiseIsNotHandedOnRaisesTheMarksAndReportsMissedEvents() {
        try (RedisHistoryStore node = builder().build();
             RedisHistoryStore aheadNode = builder().serverClockAhead(() -> SKEW).build();
             RedisHistoryStore behindNode = builder().build()) {
            String first = id(behindNode.append(Set.of(slow), Event.of("before, partition 1")));
            behindNode.append(Set.of(ahead), Event.of("before, partition 2"));
            Recorded recorded = new Recorded();
            try (SharedHistoryStore.Follower f = node.follow(recorded)) {
                LostPromise lost = losePromise(aheadNode, behindNode, recorded::ids);

                await("the node told its clients to catch up, or handed the event below on")
                        .atMost(WAIT).until(() -> recorded.missed.get() > 0 || recorded.ids().contains(lost.below()));
                assertEquals(List.of(lost.handedOn()), recorded.ids(),
                        "the event below what was handed on is not handed on after it");
                assertEquals(1, recorded.missed.get(), "the node's clients are told to catch up by replay");
                // Replays from what the node handed on, and from before it, say events were lost
                // and replay everything retained, the event below included; not a silent skip.
                for (String after : List.of(lost.handedOn(), first)) {
                    Replay byTopic = node.read(Set.of(slow, ahead), after, null);
                    assertFalse(byTopic.afterIdFound(), "a replay after " + after + " gives the data-loss signal");
                    assertTrue(HistoryStoreContract.ids(byTopic.events()).contains(lost.below()),
                            "and replays everything retained: " + byTopic.events());
                    Replay byMatcher = node.readMatching(topics -> true, after, null);
                    assertFalse(byMatcher.afterIdFound(), "a replay by matcher after " + after
                            + " gives the data-loss signal");
                    assertTrue(HistoryStoreContract.ids(byMatcher.events()).contains(lost.below()),
                            "and replays everything retained: " + byMatcher.events());
                }

                List<String> after = appendAfter(aheadNode, behindNode);
                await("the appends after it handed on").atMost(WAIT).until(() -> recorded.ids().containsAll(after));
                List<String> ids = recorded.ids();
                assertFalse(ids.contains(lost.below()), "never handed on: " + ids);
                assertEquals(ids.size(), new HashSet<>(ids).size(), "nothing handed on twice: " + ids);
                assertRising(ids, "the ids handed on");
                List<String> expected = new ArrayList<>(after);
                expected.sort(RedisHistoryStore.BY_STREAM_ID);
                expected.add(0, lost.handedOn());
                assertEquals(expected, ids, "appends after it are handed on, in id order");
                assertEquals(1, recorded.missed.get(), "only the event below made the clients catch up");
                // A replay from an event handed on after it is exact.
                Replay later = node.read(Set.of(slow, ahead, other), expected.get(1), null);
                assertTrue(later.afterIdFound(), "a replay after " + expected.get(1) + " is exact");
                assertEquals(expected.subList(2, expected.size()), HistoryStoreContract.ids(later.events()));
            }
        }
    }

    @Test
    void hub_idBelowWhatWasHandedOnAfterALostPromiseEndsTheStreamAndItsReplayGivesTheDataLossSignal() throws Exception {
        try (RedisHistoryStore node = builder().build();
             RedisHistoryStore aheadNode = builder().serverClockAhead(() -> SKEW).build();
             RedisHistoryStore behindNode = builder().build()) {
            behindNode.append(Set.of(slow), Event.of("before, partition 1"));
            behindNode.append(Set.of(ahead), Event.of("before, partition 2"));
            // Its follow starts after them: only what follows reaches the stream live.
            try (Hub hub = Hub.builder().history(node).reconnectWindow(Duration.ofSeconds(1)).build()) {
                losePromiseUnderAHub(hub, aheadNode, behindNode);
            }
        }
    }

    /** The hub's stream, then a reconnect of its client, around a promise partition 1 lost. */
    private void losePromiseUnderAHub(Hub hub, RedisHistoryStore aheadNode, RedisHistoryStore behindNode) throws Exception {
        List<String> topics = List.of(slow, ahead, other);
        FakeSse.Sink sink = new FakeSse.Sink();
        Conn conn = hub.open(sink);
        hub.subscribe(conn, topics, null);
        LostPromise lost = losePromise(aheadNode, behindNode, sink::ids);

        await("the stream ended, or the event below reached it")
                .atMost(WAIT).until(() -> sink.isClosed() || sink.ids().contains(lost.below()));
        assertEquals(List.of(lost.handedOn()), sink.ids(), "the event below what was handed on never reached it");
        assertTrue(sink.isClosed(), "the stream ended, so that its client reconnects");
        assertEquals(Conn.CloseReason.ERROR, conn.done().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));

        // The client reconnects with the last id it got: the data-loss signal, and everything retained.
        FakeSse.Sink again = new FakeSse.Sink();
        Subscription s = hub.subscribe(hub.open(again), topics, lost.handedOn());
        assertEquals(Optional.of(HistoryStore.EARLIEST), s.replayStartedAfter(),
                "a reconnect with " + lost.handedOn() + " gets the data-loss signal");
        await().atMost(WAIT).until(() -> again.ids().contains(lost.below()) && again.ids().contains(lost.handedOn()));

        List<String> after = appendAfter(aheadNode, behindNode);
        await("the appends after it delivered live").atMost(WAIT).until(() -> again.ids().containsAll(after));
        List<String> live = again.ids().subList(again.ids().indexOf(lost.handedOn()) + 1, again.ids().size());
        List<String> expected = new ArrayList<>(after);
        expected.sort(RedisHistoryStore.BY_STREAM_ID);
        assertEquals(expected, live, "appends after it reach the reconnected client live, once each, in id order");
        assertEquals(again.ids().size(), new HashSet<>(again.ids()).size(), "nothing twice: " + again.ids());
        assertFalse(again.isClosed(), "and its stream goes on");
    }
}
