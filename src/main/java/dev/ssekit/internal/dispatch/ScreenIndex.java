package dev.ssekit.internal.dispatch;

import dev.ssekit.internal.ScreenedMatcher;
import dev.ssekit.internal.conn.Connection;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The matchers that name a {@link ScreenedMatcher.Screen}, indexed by their key prefixes, so that an
 * event's fan-out asks only those whose screen it passes: per key function, each topic's key is
 * computed once and looked up once per distinct prefix length.
 *
 * <p>Changed and read under the routes' lock, one route at a time. Each bucket is a {@link Roster},
 * as a topic's subscribers are: a join appends and a leave moves the last route into the hole, both
 * O(1) amortized, so that 10,000 clients subscribing to one URL pattern cost no more than 10,000
 * appends (copy-on-write buckets copied the whole bucket at each join: 10^8 references). A lookup
 * collects its candidates before any matcher runs, so a matcher that ends a connection (and so
 * changes the index on the same thread) cannot disturb it.
 *
 * @param <R> what is indexed (a connection's matcher route)
 */
final class ScreenIndex<R> {
    private static final Logger LOG = Logger.getLogger(ScreenIndex.class.getName());

    /** The routes whose screens share one key function. */
    private final class Group {
        final Function<String, String> key;
        final Map<String, Roster<R>> byPrefix = new HashMap<>();
        final Map<Integer, Integer> prefixesOfLength = new HashMap<>();
        int[] lengths = new int[0];
        final Roster<R> all = new Roster<>(connOf);

        Group(Function<String, String> key) {
            this.key = key;
        }
    }

    private final Function<R, Connection> connOf;
    private Group[] groups = newGroups(0);
    // References copied by rosters that were dropped once empty: copied() counts every join's cost.
    private long copiedByDropped;

    /** @param connOf the connection a route belongs to: at most one route per connection */
    ScreenIndex(Function<R, Connection> connOf) {
        this.connOf = connOf;
    }

    @SuppressWarnings("unchecked")
    private Group[] newGroups(int n) {
        return (Group[]) java.lang.reflect.Array.newInstance(Group.class, n);
    }

    boolean isEmpty() {
        return groups.length == 0;
    }

    /** Indexes a route under its screen's prefixes. The caller holds the routes' lock. */
    void add(R route, ScreenedMatcher.Screen screen) {
        Group g = null;
        for (Group candidate : groups) {
            if (candidate.key.equals(screen.key())) {
                g = candidate;
            }
        }
        if (g == null) {
            g = new Group(screen.key());
            Group[] grown = Arrays.copyOf(groups, groups.length + 1); // one per key function: few
            grown[groups.length] = g;
            groups = grown;
        }
        for (String prefix : screen.prefixes()) {
            g.byPrefix.computeIfAbsent(prefix, p -> new Roster<>(connOf)).put(route);
            if (g.prefixesOfLength.merge(prefix.length(), 1, Integer::sum) == 1) {
                g.lengths = lengths(g);
            }
        }
        g.all.put(route);
    }

    /** Takes a route out, given the screen it was added with. The caller holds the routes' lock. */
    void remove(R route, ScreenedMatcher.Screen screen) {
        Connection conn = connOf.apply(route);
        for (Group g : groups) {
            if (!g.key.equals(screen.key())) {
                continue;
            }
            for (String prefix : screen.prefixes()) {
                Roster<R> bucket = g.byPrefix.get(prefix);
                if (bucket != null && bucket.remove(conn) && bucket.isEmpty()) {
                    g.byPrefix.remove(prefix);
                    copiedByDropped += bucket.copied();
                }
                if (g.prefixesOfLength.merge(prefix.length(), -1, Integer::sum) == 0) {
                    g.prefixesOfLength.remove(prefix.length());
                    g.lengths = lengths(g);
                }
            }
            g.all.remove(conn);
            if (g.all.isEmpty()) {
                copiedByDropped += g.all.copied();
                groups = Arrays.stream(groups).filter(other -> other != g).toArray(this::newGroups);
            }
            return;
        }
    }

    private int[] lengths(Group g) {
        return g.prefixesOfLength.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * @param topics an event's topics
     * @return the routes whose screen the event passes, each once (empty if none); collected before
     *         the caller asks any of them
     */
    Collection<R> candidates(Set<String> topics) {
        Set<R> out = null;
        for (Group g : groups) {
            int[] lengths = g.lengths;
            for (String topic : topics) {
                String key;
                try {
                    key = g.key.apply(topic);
                } catch (RuntimeException e) {
                    // The screen cannot tell: its matchers decide, as without an index.
                    LOG.log(Level.WARNING, "ssekit: a topic matcher's screen failed on a topic; its matchers are"
                            + " asked", e);
                    out = add(out, g.all);
                    break;
                }
                if (key == null) {
                    continue;
                }
                for (int length : lengths) {
                    if (length > key.length()) {
                        break;
                    }
                    Roster<R> found = g.byPrefix.get(key.substring(0, length));
                    if (found != null) {
                        out = add(out, found);
                    }
                }
            }
        }
        return out == null ? List.of() : out;
    }

    private static <R> Set<R> add(Set<R> out, Roster<R> routes) {
        Set<R> set = out == null ? Collections.newSetFromMap(new IdentityHashMap<>()) : out;
        for (int i = 0, n = routes.size(); i < n; i++) {
            set.add(routes.get(i));
        }
        return set;
    }

    /** @return references copied as buckets grew and shrank, since it was made: what joins and leaves cost */
    long copied() {
        long sum = copiedByDropped;
        for (Group g : groups) {
            sum += g.all.copied();
            for (Roster<R> bucket : g.byPrefix.values()) {
                sum += bucket.copied();
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        return "ScreenIndex" + Arrays.toString(Arrays.stream(groups).mapToInt(g -> g.all.size()).toArray());
    }
}
