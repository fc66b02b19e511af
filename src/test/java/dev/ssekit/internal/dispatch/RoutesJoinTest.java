package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.internal.ScreenedMatcher;
import dev.ssekit.internal.ScreenedMatcher.Screen;
import dev.ssekit.internal.conn.ConnRuntime;
import dev.ssekit.internal.conn.ConnSettings;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.conn.Outlets;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What joining and leaving a topic cost, counted in references copied rather than timed. */
class RoutesJoinTest {
    private static final int CLIENTS = 10_000;
    private final ConnRuntime runtime = new ConnRuntime("routes-join", 2, 0);

    @AfterEach
    void stop() {
        runtime.close();
    }

    @Test
    void join_manySubscribersCopiesLinearlyNotQuadratically() {
        Routes routes = new Routes(null);
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Connection c = connection();
            conns.add(c);
            routes.join(c, filters("t"), null, false, (first, topics) -> true);
        }
        Roster<?> subs = routes.subscribersOf("t");
        // A copy-on-write array copies every subscriber at each join: 10,000 joins, 5 * 10^7
        // references. Here the array doubles now and then: fewer than two copies per join.
        assertTrue(subs.copied() < 2L * CLIENTS, "references copied by " + CLIENTS + " joins: " + subs.copied());

        // One more join onto a topic of 10,000 copies nothing while the array has room.
        long before = subs.copied();
        assertTrue(subs.capacity() > subs.size());
        routes.join(connection(), filters("t"), null, false, (first, topics) -> true);
        assertEquals(before, subs.copied());

        // A reconnect storm: half leave and come back; leaves move one subscriber each, no copy of the set.
        long beforeStorm = subs.copied();
        for (int i = 0; i < CLIENTS / 2; i++) {
            routes.leaveAll(conns.get(i));
            routes.join(conns.get(i), filters("t"), null, false, (first, topics) -> true);
        }
        assertEquals(beforeStorm, subs.copied(), "a leave and rejoin copied the subscriber set");
        assertEquals(CLIENTS + 1, routes.subscribers("t"));
    }

    @Test
    void join_manyUnscreenedMatchersCopiesLinearlyNotQuadratically() {
        Routes routes = new Routes(null);
        TopicMatcher everything = topics -> true; // no screen: asked about every event, as "*"
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Connection c = connection();
            conns.add(c);
            routes.join(c, Map.of(), everything, false, (first, topics) -> true);
        }
        Roster<?> matchers = routes.unscreenedMatchers();
        assertTrue(matchers.copied() < 2L * CLIENTS, "references copied by " + CLIENTS + " joins: "
                + matchers.copied());
        long beforeStorm = matchers.copied();
        for (int i = 0; i < CLIENTS / 2; i++) {
            routes.leaveAll(conns.get(i));
            routes.join(conns.get(i), Map.of(), everything, false, (first, topics) -> true);
        }
        assertEquals(beforeStorm, matchers.copied(), "a leave and rejoin copied the matchers");
        Map<Connection, Integer> got = new HashMap<>();
        routes.deliver(List.of(new Published(Set.of("t"), Event.of("x").withId("1"), null, "1")),
                p -> EncodedEvent.of(p.event()), (topic, conn, out, walk) -> got.merge(conn, 1, Integer::sum));
        assertEquals(CLIENTS, got.size());
        assertTrue(got.values().stream().allMatch(n -> n == 1));
    }

    @Test
    void join_manyScreenedMatchersCopiesLinearlyNotQuadratically() {
        Routes routes = new Routes(null);
        // One key function and one prefix, as 10,000 clients subscribing to the same URL pattern.
        java.util.function.Function<String, String> key = topic -> topic;
        ScreenedMatcher.Screen screen = new ScreenedMatcher.Screen(key, Set.of("https://example.com/books/"));
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Connection c = connection();
            conns.add(c);
            routes.join(c, Map.of(), booksMatcher(screen), false, (first, topics) -> true);
        }
        ScreenIndex<?> index = routes.screenedMatchers();
        // Copy-on-write buckets copied the bucket (and the list of all routes) at each join:
        // 10,000 joins, 10^8 references. Arrays that double now and then: a few per join.
        assertTrue(index.copied() < 4L * CLIENTS, "references copied by " + CLIENTS + " joins: " + index.copied());
        long beforeStorm = index.copied();
        for (int i = 0; i < CLIENTS / 2; i++) {
            routes.leaveAll(conns.get(i));
            routes.join(conns.get(i), Map.of(), booksMatcher(screen), false, (first, topics) -> true);
        }
        assertTrue(index.copied() - beforeStorm < 4L * CLIENTS, "a reconnect storm of " + CLIENTS / 2
                + " copied " + (index.copied() - beforeStorm) + " references");
        Map<Connection, Integer> got = new HashMap<>();
        routes.deliver(List.of(new Published(Set.of("https://example.com/books/1"), Event.of("x").withId("1"), null,
                "1")), p -> EncodedEvent.of(p.event()), (topic, conn, out, walk) -> got.merge(conn, 1, Integer::sum));
        assertEquals(CLIENTS, got.size());
        assertTrue(got.values().stream().allMatch(n -> n == 1));
        routes.deliver(List.of(new Published(Set.of("https://example.com/authors/1"), Event.of("y").withId("2"), null,
                "2")), p -> EncodedEvent.of(p.event()), (topic, conn, out, walk) -> got.merge(conn, 1, Integer::sum));
        assertTrue(got.values().stream().allMatch(n -> n == 1), "the screen kept the others out");
    }

    private static TopicMatcher booksMatcher(ScreenedMatcher.Screen screen) {
        return new BooksMatcher(screen);
    }

    /** Accepts the books' topics; screened by {@code screen}. */
    private record BooksMatcher(Screen screen) implements TopicMatcher, ScreenedMatcher {
        @Override
        public boolean matches(Set<String> topics) {
            return topics.stream().anyMatch(t -> t.startsWith("https://example.com/books/"));
        }
    }

    @Test
    void deliver_afterJoinsAndLeavesReachesEverySubscriberOnce() {
        Routes routes = new Routes(null);
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Connection c = connection();
            conns.add(c);
            routes.join(c, filters("t"), null, false, (first, topics) -> true);
        }
        for (int i = 0; i < conns.size(); i += 3) {
            routes.leaveAll(conns.get(i)); // holes in the middle, filled from the end
        }
        Map<Connection, Integer> got = new HashMap<>();
        routes.deliver(List.of(new Published(Set.of("t"), Event.of("x").withId("1"), null, "1")),
                p -> EncodedEvent.of(p.event()), (topic, conn, out, walk) -> got.merge(conn, 1, Integer::sum));
        for (int i = 0; i < conns.size(); i++) {
            assertEquals(i % 3 == 0 ? null : 1, got.get(conns.get(i)), "connection " + i);
        }
        assertEquals(got.size(), routes.subscribers("t"));
    }

    @Test
    void deliver_connectionLeavingDuringFanOutDoesNotSkipAnother() {
        Routes routes = new Routes(null);
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Connection c = connection();
            conns.add(c);
            routes.join(c, filters("t"), null, false, (first, topics) -> true);
        }
        List<Connection> got = new ArrayList<>();
        routes.deliver(List.of(new Published(Set.of("t"), Event.of("x").withId("1"), null, "1")),
                p -> EncodedEvent.of(p.event()), (topic, conn, out, walk) -> {
                    got.add(conn);
                    if (got.size() == 2) {
                        routes.leaveAll(conns.get(0)); // as a close listener run on this thread would
                    }
                });
        assertEquals(10, got.size());
        assertEquals(Set.copyOf(conns), Set.copyOf(got));
        assertEquals(9, routes.subscribers("t"));
    }

    private Connection connection() {
        return new Connection(Outlets.forSink(new FakeSse.Sink(), runtime), ConnSettings.DEFAULTS, runtime, null, false);
    }

    private static Map<String, EventFilter> filters(String topic) {
        Map<String, EventFilter> m = new HashMap<>();
        m.put(topic, null);
        return m;
    }
}
