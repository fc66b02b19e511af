package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.internal.ScreenedMatcher;
import dev.ssekit.internal.conn.Connection;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.spi.TopicMatcher;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which connection receives which topic, and the fan-out of stored events to them, in history
 * order.
 *
 * <h2>The handoff</h2>
 * Fan-out and joining take one lock, and fan-out runs only for events the store has acknowledged, in
 * id order. A connection that joins with a {@code Last-Event-ID} notes the high-water mark (the
 * newest event fanned out) under that lock and holds its queue: everything up to the mark is in
 * history and is replayed, everything after it reaches the queue live. So there is no gap and no
 * duplicate. The lock covers queue appends only: no store call, no socket write.
 *
 * <h2>Reads</h2>
 * Subscriber counts and the connection count are read without the lock, so gauges and stats never
 * wait behind a publish. A topic's subscribers ({@link Roster}) are changed and walked
 * under it: a join or leave costs O(1) whatever the topic's size, where a copy-on-write array
 * copied every subscriber under the lock at each join.
 */
final class Routes {
    private static final Logger LOG = Logger.getLogger(Routes.class.getName());

    /** One connection's interest in one topic. */
    record Subscriber(Connection conn, EventFilter filter) {
    }

    /**
     * A connection's matcher, with the topics it has by name (an event one of them brings skips the
     * matcher) and its screen (null: asked about every event).
     */
    private record MatcherRoute(Connection conn, TopicMatcher matcher, Set<String> byName, ScreenedMatcher.Screen screen) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    // Written under lock; read without it.
    private final ConcurrentHashMap<String, Roster<Subscriber>> byTopic = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Connection, Set<String>> byConnection = new ConcurrentHashMap<>();
    // Matcher subscriptions (wildcards, patterns), apart from the exact topics so that exact fan-out
    // never looks at them; at most one per connection.
    private final ConcurrentHashMap<Connection, TopicMatcher> matchers = new ConcurrentHashMap<>();
    private final Map<Connection, MatcherRoute> matcherRouteOf = new HashMap<>(); // under the lock
    // What a publish walks: the matchers asked about every event (a roster: no map entry, lookup or
    // iterator per matcher, and an O(1) join), and the screened ones, asked about what passes their screen.
    private final Roster<MatcherRoute> unscreened = new Roster<>(MatcherRoute::conn);
    private final ScreenIndex<MatcherRoute> screened = new ScreenIndex<>(MatcherRoute::conn);
    private volatile String highWater;
    // The id of the event at the high-water mark, when known (fanned out here, or a store whose
    // positions are its ids): what a replay that skips history says it started after.
    private volatile String highWaterId;

    /** @param highWater the position of the newest event in history when the routes start, or null */
    Routes(String highWater) {
        this.highWater = highWater;
    }

    /**
     * Sets the high-water mark where a follow starts, unless events were fanned out already.
     *
     * @param id the id of the event at {@code position}, or null when unknown
     */
    void startAt(String position, String id) {
        lock.lock();
        try {
            if (highWater == null) {
                highWater = position;
                highWaterId = id;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the high-water mark to {@code position} without fanning anything out: events up to it
     * that were not fanned out reach clients by replay only, so the caller makes them reconnect.
     */
    void advanceTo(String position) {
        lock.lock();
        try {
            highWater = position;
            highWaterId = null;
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * What joining did.
     *
     * @param highWater   the position up to which the connection replays
     * @param highWaterId the id of the event at that position, or null when unknown
     */
    record Joined(boolean first, String highWater, String highWaterId) {
    }

    /**
     * Adds a connection to topics, under the fan-out lock.
     *
     * @param admit   checked under the lock, before anything changes: (is first subscription, topics)
     *                -> throws to refuse
     * @param replay  whether the connection holds its queue for a replay
     * @throws IllegalStateException if it replays but already has topics
     */
    Joined join(Connection conn, Map<String, EventFilter> filters, TopicMatcher matcher, boolean replay,
                BiPredicate<Boolean, Set<String>> admit) {
        lock.lock();
        try {
            Set<String> mine = byConnection.get(conn);
            boolean first = mine == null;
            if (replay && !first && !mine.isEmpty()) {
                // Its live events and a replay would overlap: replay belongs to the first subscription.
                throw new IllegalStateException("a connection replays only at its first subscription; "
                        + "subscribe to all its topics in one call");
            }
            admit.test(first, filters.keySet());
            if (matcher != null && matchers.containsKey(conn)) {
                throw new IllegalStateException("a connection has at most one topic matcher");
            }
            if (replay) {
                conn.holdForReplay();
            }
            Set<String> updated = new HashSet<>(first ? Set.of() : mine);
            for (Map.Entry<String, EventFilter> e : filters.entrySet()) {
                Subscriber s = new Subscriber(conn, e.getValue());
                byTopic.computeIfAbsent(e.getKey(), topic -> new Roster<>(Subscriber::conn)).put(s);
                updated.add(e.getKey());
            }
            byConnection.put(conn, Set.copyOf(updated));
            if (matcher != null) {
                matchers.put(conn, matcher);
            }
            if (matchers.containsKey(conn)) {
                replaceMatcherRoute(conn);
            }
            return new Joined(first, highWater, highWaterId);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a connection from one topic; the connection stays open. */
    boolean leave(Connection conn, String topic) {
        lock.lock();
        try {
            boolean[] removed = {removeFrom(topic, conn)};
            Set<String> mine = byConnection.get(conn);
            if (mine != null && mine.contains(topic)) {
                Set<String> updated = new HashSet<>(mine);
                updated.remove(topic);
                byConnection.put(conn, Set.copyOf(updated));
                if (matchers.containsKey(conn)) {
                    replaceMatcherRoute(conn);
                }
            }
            return removed[0];
        } finally {
            lock.unlock();
        }
    }

    /** @return the topics it was subscribed to, or null if it was not */
    Set<String> leaveAll(Connection conn) {
        lock.lock();
        try {
            Set<String> mine = byConnection.remove(conn);
            if (matchers.remove(conn) != null) {
                replaceMatcherRoute(conn);
            }
            if (mine != null) {
                for (String topic : mine) {
                    removeFrom(topic, conn);
                }
            }
            return mine;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a connection's matcher; its exact topics and the connection stay. */
    void leaveMatcher(Connection conn) {
        lock.lock();
        try {
            if (matchers.remove(conn) != null) {
                replaceMatcherRoute(conn);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: replaces {@code conn}'s matcher route once its matcher, or its topics while it
     * has one, changed; the cost is that route's, not all routes'.
     */
    private void replaceMatcherRoute(Connection conn) {
        MatcherRoute old = matcherRouteOf.remove(conn);
        if (old != null) {
            if (old.screen() == null) {
                unscreened.remove(conn);
            } else {
                screened.remove(old, old.screen());
            }
        }
        TopicMatcher matcher = matchers.get(conn);
        if (matcher == null) {
            return;
        }
        ScreenedMatcher.Screen screen = old != null && old.matcher() == matcher ? old.screen() : screenOf(matcher);
        MatcherRoute route = new MatcherRoute(conn, matcher, byConnection.getOrDefault(conn, Set.of()), screen);
        matcherRouteOf.put(conn, route);
        if (screen == null) {
            unscreened.put(route);
        } else {
            screened.add(route, screen);
        }
    }

    /** @return the matcher's screen, or null when it has none or failed to say (then it is asked every time) */
    private static ScreenedMatcher.Screen screenOf(TopicMatcher matcher) {
        try {
            return matcher instanceof ScreenedMatcher screened ? screened.screen() : null;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a topic matcher's screen() failed; it is asked about every event", e);
            return null;
        }
    }

    /** Under the lock: removes {@code conn} from {@code topic}, and the topic once nobody subscribes. */
    private boolean removeFrom(String topic, Connection conn) {
        Roster<Subscriber> subs = byTopic.get(topic);
        if (subs == null || !subs.remove(conn)) {
            return false;
        }
        if (subs.isEmpty()) {
            byTopic.remove(topic);
        }
        return true;
    }

    /**
     * Queues acknowledged events, in the order given (history order), to every matching subscriber of
     * any of their topics, once each, and moves the high-water mark past them.
     *
     * @param encode  the form written to sinks, made once per event
     * @param counted told of each (topic, event) delivered to a queue, for metering
     */
    void deliver(List<Published> events, java.util.function.Function<Published, FramedEvent> encode,
                 Fanned counted) {
        lock.lock();
        try {
            for (Published p : events) {
                // The event is stored: from here nothing may throw, or the high-water mark would fall
                // behind history and a reconnecting client could skip this event.
                highWater = p.position();
                highWaterId = p.event().id().orElse(null);
                try {
                    fanOut(p, new Encoded(p, encode), counted);
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "ssekit: fan-out of event " + p.event().id().orElse("?") + " failed", e);
                }
            }
            advanced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Told, for each topic an event is fanned out on, which subscribers' queues took it. */
    interface Fanned {
        /**
         * @param reach how many subscribers the event may reach on {@code topic} (by name, and the
         *              matchers' for the first topic, which count under it): its run there has at
         *              most that many deliveries, the same for each of them
         */
        void fanned(String topic, Connection conn, FramedEvent out, int reach);
    }

    /** The written form of one event, made at its first subscriber: an event nobody takes costs nothing. */
    private static final class Encoded {
        private final Published event;
        private final java.util.function.Function<Published, FramedEvent> encode;
        private FramedEvent out;

        Encoded(Published event, java.util.function.Function<Published, FramedEvent> encode) {
            this.event = event;
            this.encode = encode;
        }

        FramedEvent get() {
            if (out == null) {
                out = encode.apply(event);
            }
            return out;
        }
    }

    private void fanOut(Published p, Encoded out, Fanned counted) {
        Set<String> topics = p.topics();
        Set<Connection> reached = topics.size() == 1 ? null : new HashSet<>();
        // Matchers count under the event's first topic, walked right after that topic's
        // subscribers by name, so that the event's run on it is one, whose reach (both walks) the
        // lag's sample spreads over. Candidates are collected before any matcher runs.
        Collection<MatcherRoute> candidates = screened.isEmpty() ? List.of() : screened.candidates(topics);
        int matchers = unscreened.size() + candidates.size();
        boolean first = true;
        for (String topic : topics) {
            Roster<Subscriber> subs = byTopic.get(topic);
            int reach = (subs == null ? 0 : subs.size()) + (first ? matchers : 0);
            if (subs != null) {
                fanOutByName(p, topic, subs, out, counted, reached, reach);
            }
            if (first && matchers > 0) {
                fanOutToMatchers(p, topic, out, counted, candidates, reach);
            }
            first = false;
        }
    }

    private void fanOutByName(Published p, String topic, Roster<Subscriber> subs, Encoded out, Fanned counted,
                              Set<Connection> reached, int reach) {
        int n = subs.beginWalk();
        try {
            for (int i = 0; i < n; i++) {
                Subscriber s = subs.get(i);
                if (reached != null && reached.contains(s.conn)) {
                    continue;
                }
                if (accepts(s.filter, p.value(), p.event())) {
                    counted.fanned(topic, s.conn, out.get(), reach);
                    if (reached != null) {
                        reached.add(s.conn);
                    }
                }
            }
        } finally {
            subs.endWalk();
            if (subs.isEmpty()) {
                byTopic.remove(topic, subs);
            }
        }
    }

    /**
     * Offers an event to the matchers of connections that none of its topics reached by name (a
     * connection subscribed to one of them got it, or was filtered, there), so each gets it once;
     * counted under the event's first topic.
     */
    private void fanOutToMatchers(Published p, String first, Encoded out, Fanned counted,
                                  Collection<MatcherRoute> candidates, int reach) {
        int n = unscreened.beginWalk();
        try {
            for (int i = 0; i < n; i++) {
                offerToMatcher(unscreened.get(i), p, first, out, counted, reach);
            }
        } finally {
            unscreened.endWalk();
        }
        for (MatcherRoute m : candidates) {
            offerToMatcher(m, p, first, out, counted, reach);
        }
    }

    private static void offerToMatcher(MatcherRoute m, Published p, String first, Encoded out, Fanned counted,
                                       int reach) {
        Set<String> topics = p.topics();
        Set<String> byName = m.byName();
        if (!byName.isEmpty() && (topics.size() == 1 ? byName.contains(first)
                : !java.util.Collections.disjoint(byName, topics))) {
            return; // one of its topics by name brought the event, or filtered it out
        }
        boolean matches;
        try {
            matches = m.matcher().matches(topics);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a topic matcher failed on event " + p.event().id().orElse("?")
                    + "; that subscriber does not get the event", e);
            matches = false;
        }
        if (matches) {
            counted.fanned(first, m.conn(), out.get(), reach);
        }
    }

    /** A filter that throws rejects the event for its subscriber only, and is logged. */
    static boolean accepts(EventFilter filter, Object value, Event event) {
        if (filter == null) {
            return true;
        }
        try {
            return filter.accepts(value, event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: a subscriber's filter failed on event " + event.id().orElse("?")
                    + "; that subscriber does not get the event", e);
            return false;
        }
    }

    /**
     * Waits until the high-water mark is at or past {@code position}.
     *
     * @param order compares two positions
     * @return false if it was not within {@code nanos}
     */
    boolean awaitHighWater(String position, java.util.Comparator<String> order, long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (highWater == null || order.compare(highWater, position) < 0) {
                if (left <= 0) {
                    return false;
                }
                left = advanced.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return the newest position fanned out, or the store's newest at start; null for none */
    String highWater() {
        return highWater;
    }

    /** @return the connections subscribed to {@code topic}; never waits for a publish */
    int subscribers(String topic) {
        Roster<Subscriber> subs = byTopic.get(topic);
        return subs == null ? 0 : subs.count();
    }

    /** @return the exact-topic subscriptions of every topic now; visits every topic, for gauges only */
    int subscriptions() {
        int sum = 0;
        for (Roster<Subscriber> subs : byTopic.values()) {
            sum += subs.count();
        }
        return sum;
    }

    /** @return the connections subscribed to {@code topic}; waits for a fan-out in progress */
    List<Connection> connections(String topic) {
        lock.lock();
        try {
            Roster<Subscriber> subs = byTopic.get(topic);
            List<Connection> out = new ArrayList<>(subs == null ? 0 : subs.size());
            for (int i = 0; subs != null && i < subs.size(); i++) {
                out.add(subs.get(i).conn);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** @return the matchers asked about every event, for tests; read under the lock */
    ScreenIndex<?> screenedMatchers() {
        return screened;
    }

    Roster<?> unscreenedMatchers() {
        return unscreened;
    }

    /** @return {@code topic}'s subscribers, for tests; read under the lock */
    Roster<Subscriber> subscribersOf(String topic) {
        return byTopic.get(topic);
    }

    /** @return the topics of a connection, or null if it has none */
    Set<String> topicsOf(Connection conn) {
        return byConnection.get(conn);
    }

    /** @return every subscribed connection */
    List<Connection> connections() {
        return new ArrayList<>(byConnection.keySet());
    }

    /** @return the distinct connections subscribed to any topic; never waits for a publish */
    int clients() {
        return byConnection.size();
    }

    /**
     * @return whether the calling thread holds the fan-out lock: it runs a subscriber's filter or
     *         matcher, which are called under it
     */
    boolean heldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Runs {@code check} under the fan-out lock, so that nothing joins or is fanned out meanwhile. */
    void locked(Runnable check) {
        lock.lock();
        try {
            check.run();
        } finally {
            lock.unlock();
        }
    }
}
