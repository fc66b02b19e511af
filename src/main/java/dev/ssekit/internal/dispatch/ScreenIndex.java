package dev.ssekit.internal.dispatch;

import dev.ssekit.TopicMatcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The matchers that name a {@link TopicMatcher.Screen}, indexed by their key prefixes, so that an
 * event's fan-out asks only those whose screen it passes: per key function, each topic's key is
 * computed once, and looked up once per distinct prefix length. Immutable: built anew when a
 * screened matcher comes or goes.
 *
 * @param <R> what is indexed (a connection's matcher route)
 */
final class ScreenIndex<R> {
    private static final Logger LOG = Logger.getLogger(ScreenIndex.class.getName());
    private static final ScreenIndex<?> EMPTY = new ScreenIndex<>(List.of());

    /** The routes whose screens share one key function. */
    private record Group<R>(Function<String, String> key, int[] lengths, Map<String, List<R>> byPrefix, List<R> all) {
    }

    private final List<Group<R>> groups;

    private ScreenIndex(List<Group<R>> groups) {
        this.groups = groups;
    }

    @SuppressWarnings("unchecked")
    static <R> ScreenIndex<R> empty() {
        return (ScreenIndex<R>) EMPTY;
    }

    /**
     * @param screened each route with its screen
     * @return the index of them
     */
    static <R> ScreenIndex<R> of(Map<R, TopicMatcher.Screen> screened) {
        if (screened.isEmpty()) {
            return empty();
        }
        Map<Function<String, String>, Map<String, List<R>>> byKey = new LinkedHashMap<>();
        for (Map.Entry<R, TopicMatcher.Screen> e : screened.entrySet()) {
            Map<String, List<R>> byPrefix = byKey.computeIfAbsent(e.getValue().key(), k -> new HashMap<>());
            for (String prefix : e.getValue().prefixes()) {
                byPrefix.computeIfAbsent(prefix, p -> new ArrayList<>(1)).add(e.getKey());
            }
        }
        List<Group<R>> groups = new ArrayList<>(byKey.size());
        for (Map.Entry<Function<String, String>, Map<String, List<R>>> g : byKey.entrySet()) {
            TreeSet<Integer> lengths = new TreeSet<>();
            Set<R> all = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Map.Entry<String, List<R>> p : g.getValue().entrySet()) {
                lengths.add(p.getKey().length());
                all.addAll(p.getValue());
            }
            groups.add(new Group<>(g.getKey(), lengths.stream().mapToInt(Integer::intValue).toArray(),
                    Map.copyOf(g.getValue()), List.copyOf(all)));
        }
        return new ScreenIndex<>(List.copyOf(groups));
    }

    boolean isEmpty() {
        return groups.isEmpty();
    }

    /**
     * @param topics an event's topics
     * @return the routes whose screen the event passes, each once (empty if none)
     */
    Collection<R> candidates(Set<String> topics) {
        Set<R> out = null;
        for (Group<R> g : groups) {
            for (String topic : topics) {
                String key;
                try {
                    key = g.key().apply(topic);
                } catch (RuntimeException e) {
                    // The screen cannot tell: its matchers decide, as without an index.
                    LOG.log(Level.WARNING, "ssekit: a topic matcher's screen failed on a topic; its matchers are"
                            + " asked", e);
                    out = add(out, g.all());
                    break;
                }
                if (key == null) {
                    continue;
                }
                for (int length : g.lengths()) {
                    if (length > key.length()) {
                        break;
                    }
                    List<R> found = g.byPrefix().get(key.substring(0, length));
                    if (found != null) {
                        out = add(out, found);
                    }
                }
            }
        }
        return out == null ? List.of() : out;
    }

    private static <R> Set<R> add(Set<R> out, Collection<R> routes) {
        Set<R> set = out == null ? Collections.newSetFromMap(new IdentityHashMap<>()) : out;
        set.addAll(routes);
        return set;
    }

    @Override
    public String toString() {
        return "ScreenIndex" + Arrays.toString(groups.stream().map(g -> g.all().size()).toArray());
    }
}
