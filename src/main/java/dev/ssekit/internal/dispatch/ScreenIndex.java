package dev.ssekit.internal.dispatch;

import dev.ssekit.spi.TopicMatcher;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The matchers that name a {@link TopicMatcher.Screen}, indexed by their key prefixes, so that an
 * event's fan-out asks only those whose screen it passes: per key function, each topic's key is
 * computed once and looked up once per distinct prefix length.
 *
 * <p>Changed by one writer at a time (under the routes' lock), one route at a time, at the cost of
 * its prefixes' buckets only, so that subscribers arriving in thousands do not rebuild it each; read
 * without a lock, as the topic map is: a bucket is an array replaced whole.
 *
 * @param <R> what is indexed (a connection's matcher route)
 */
final class ScreenIndex<R> {
    private static final Logger LOG = Logger.getLogger(ScreenIndex.class.getName());

    /** The routes whose screens share one key function. */
    private static final class Group {
        final Function<String, String> key;
        final ConcurrentHashMap<String, Object[]> byPrefix = new ConcurrentHashMap<>();
        final Map<Integer, Integer> prefixesOfLength = new HashMap<>(); // writer only
        volatile int[] lengths = new int[0];
        volatile Object[] all = new Object[0];

        Group(Function<String, String> key) {
            this.key = key;
        }
    }

    private volatile Group[] groups = new Group[0];

    boolean isEmpty() {
        return groups.length == 0;
    }

    /** Indexes a route under its screen's prefixes. The caller holds the writers' lock. */
    void add(R route, TopicMatcher.Screen screen) {
        Group g = null;
        for (Group candidate : groups) {
            if (candidate.key.equals(screen.key())) {
                g = candidate;
            }
        }
        if (g == null) {
            g = new Group(screen.key());
            Group[] grown = Arrays.copyOf(groups, groups.length + 1);
            grown[groups.length] = g;
            groups = grown;
        }
        for (String prefix : screen.prefixes()) {
            g.byPrefix.compute(prefix, (p, routes) -> with(routes, route));
            if (g.prefixesOfLength.merge(prefix.length(), 1, Integer::sum) == 1) {
                g.lengths = lengths(g);
            }
        }
        g.all = with(g.all, route);
    }

    /** Takes a route out, given the screen it was added with. The caller holds the writers' lock. */
    void remove(R route, TopicMatcher.Screen screen) {
        for (Group g : groups) {
            if (!g.key.equals(screen.key())) {
                continue;
            }
            for (String prefix : screen.prefixes()) {
                g.byPrefix.computeIfPresent(prefix, (p, routes) -> {
                    Object[] left = without(routes, route);
                    return left.length == 0 ? null : left;
                });
                if (g.prefixesOfLength.merge(prefix.length(), -1, Integer::sum) == 0) {
                    g.prefixesOfLength.remove(prefix.length());
                    g.lengths = lengths(g);
                }
            }
            g.all = without(g.all, route);
            if (g.all.length == 0) {
                groups = Arrays.stream(groups).filter(other -> other != g).toArray(Group[]::new);
            }
            return;
        }
    }

    private static int[] lengths(Group g) {
        return g.prefixesOfLength.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static Object[] with(Object[] routes, Object route) {
        if (routes == null) {
            return new Object[] {route};
        }
        Object[] grown = Arrays.copyOf(routes, routes.length + 1);
        grown[routes.length] = route;
        return grown;
    }

    private static Object[] without(Object[] routes, Object route) {
        for (int i = 0; i < routes.length; i++) {
            if (routes[i] == route) {
                Object[] shrunk = new Object[routes.length - 1];
                System.arraycopy(routes, 0, shrunk, 0, i);
                System.arraycopy(routes, i + 1, shrunk, i, routes.length - i - 1);
                return shrunk;
            }
        }
        return routes;
    }

    /**
     * @param topics an event's topics
     * @return the routes whose screen the event passes, each once (empty if none)
     */
    @SuppressWarnings("unchecked")
    Collection<R> candidates(Set<String> topics) {
        Set<Object> out = null;
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
                    Object[] found = g.byPrefix.get(key.substring(0, length));
                    if (found != null) {
                        out = add(out, found);
                    }
                }
            }
        }
        return out == null ? List.of() : (Collection<R>) (Collection<?>) out;
    }

    private static Set<Object> add(Set<Object> out, Object[] routes) {
        Set<Object> set = out == null ? Collections.newSetFromMap(new IdentityHashMap<>()) : out;
        Collections.addAll(set, routes);
        return set;
    }

    @Override
    public String toString() {
        return "ScreenIndex" + Arrays.toString(Arrays.stream(groups).mapToInt(g -> g.all.length).toArray());
    }
}
