package dev.ssekit.history;

import dev.ssekit.Event;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a {@link SharedHistoryStore} must do besides: every node's follow delivers every node's
 * events once, in id order, with positions that {@link SharedHistoryStore#read} takes. Implemented
 * by the contract test of each shared store, next to {@link HistoryStoreContract}.
 */
interface SharedHistoryStoreContract {
    Duration WAIT = Duration.ofSeconds(30);

    /** @return a new, empty store, as the first node opens it */
    SharedHistoryStore newNode();

    /** @return another store on the same data as {@code node}, as another node opens it */
    SharedHistoryStore otherNode(SharedHistoryStore node);

    /** A follower's deliveries, in order. */
    final class Followed implements SharedHistoryStore.AppendListener {
        final List<String> ids = Collections.synchronizedList(new ArrayList<>());
        final List<String> positions = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void appended(Set<String> topics, Event event, String position) {
            ids.add(event.id().orElseThrow());
            positions.add(position);
        }

        List<String> ids() {
            synchronized (ids) {
                return List.copyOf(ids);
            }
        }

        List<String> positions() {
            synchronized (positions) {
                return List.copyOf(positions);
            }
        }
    }

    @Test
    default void follow_concurrentBatchesOnTwoNodesReachEveryFollowerOnceInIdOrder() throws Exception {
        try (SharedHistoryStore one = newNode(); SharedHistoryStore two = otherNode(one)) {
            Followed first = new Followed();
            Followed second = new Followed();
            try (SharedHistoryStore.Follower f1 = one.follow(first); SharedHistoryStore.Follower f2 = two.follow(second)) {
                List<List<String>> perThread = HistoryStoreContract.appendConcurrently(List.of(one, one, two, two), 25);
                int total = perThread.stream().mapToInt(List::size).sum();
                List<String> order = HistoryStoreContract.ids(HistoryStoreContract.read(one, HistoryStore.EARLIEST,
                        "a", "b").events());
                assertEquals(total, order.size());
                for (Followed seen : List.of(first, second)) {
                    await().atMost(WAIT).until(() -> seen.ids().size() >= total);
                    assertEquals(order, seen.ids(), "the follow delivers every event once, in id order");
                }
                assertEquals(first.positions(), second.positions(), "positions are the same on every node");
            }
        }
    }

    @Test
    default void follow_startsAfterTheNewestEventAndItsPositionsReadLikeIds() {
        try (SharedHistoryStore one = newNode(); SharedHistoryStore two = otherNode(one)) {
            HistoryStoreContract.append(one, "before", "a");
            Followed seen = new Followed();
            try (SharedHistoryStore.Follower f = two.follow(seen)) {
                String start = f.startedAfter().orElseThrow();
                assertEquals(one.latestPosition().orElseThrow(), start);
                String x = HistoryStoreContract.append(one, "x", "a");
                String y = HistoryStoreContract.append(two, "y", "b");
                await().atMost(WAIT).until(() -> seen.ids().size() >= 2);
                assertEquals(List.of(x, y), seen.ids(), "only what came after the start, from either node");
                List<String> positions = seen.positions();
                assertTrue(two.comparePositions(start, positions.get(0)) < 0);
                assertTrue(one.comparePositions(positions.get(0), positions.get(1)) < 0);
                assertEquals(positions.get(1), two.latestPosition().orElseThrow());
                Replay after = one.read(Set.of("a", "b"), start, positions.get(0));
                assertTrue(after.afterIdFound());
                assertEquals(List.of(x), HistoryStoreContract.ids(after.events()), "a position reads like an id");
            }
        }
    }
}
