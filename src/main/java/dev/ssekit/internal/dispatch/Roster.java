package dev.ssekit.internal.dispatch;

import dev.ssekit.internal.conn.Connection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One topic's subscribers, or the matchers asked about every event: an array with an index by
 * connection, changed and walked under the fan-out lock ({@link Routes}); only the count is read
 * without it.
 *
 * <p>Why not a copy-on-write array: a join copied the whole array under the fan-out lock, so 10,000
 * clients reconnecting to one topic copied 10^8 references while every publish waited. Here a join
 * appends and a leave moves the last subscriber into the hole, both O(1) (the array doubles or
 * halves now and then: amortized O(1)), and fan-out walks the array by index with no iterator or
 * snapshot per event. The order of subscribers is not kept; nothing depends on it.
 *
 * <p>A walk may run user code (filters) that ends a connection and so leaves the topic on the same
 * thread: a leave during a walk is applied when the walk ends, and a join during it is not walked
 * (it came after the event's high-water mark, so it replays the event instead).
 */
final class Roster<T> {
    private static final int INITIAL = 4;

    private final java.util.function.Function<T, Connection> connOf;
    private Object[] items = new Object[INITIAL];
    private int size;
    private final Map<Connection, Integer> index = new HashMap<>();
    private volatile int count;
    private boolean walking;
    private List<Connection> leftDuringWalk;
    private long copied;

    /** @param connOf the connection an entry belongs to: a roster holds one entry per connection */
    Roster(java.util.function.Function<T, Connection> connOf) {
        this.connOf = connOf;
    }

    /** Adds {@code s}, or replaces its connection's entry. */
    void put(T s) {
        Connection conn = connOf.apply(s);
        if (leftDuringWalk != null) {
            leftDuringWalk.remove(conn);
        }
        Integer at = index.get(conn);
        if (at != null) {
            items[at] = s;
            return;
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
            copied += size;
        }
        items[size] = s;
        index.put(conn, size);
        size++;
        count = size;
    }

    /** @return whether {@code conn} was a subscriber (during a walk: is one until the walk ends) */
    boolean remove(Connection conn) {
        if (!index.containsKey(conn)) {
            return false;
        }
        if (walking) {
            if (leftDuringWalk == null) {
                leftDuringWalk = new ArrayList<>(1);
            }
            leftDuringWalk.add(conn);
            return true;
        }
        int at = index.remove(conn);
        int last = --size;
        if (at != last) {
            @SuppressWarnings("unchecked")
            T moved = (T) items[last];
            items[at] = moved;
            index.put(connOf.apply(moved), at);
        }
        items[last] = null;
        count = size;
        if (items.length > INITIAL && size < items.length / 4) {
            items = Arrays.copyOf(items, items.length / 2);
            copied += size;
        }
        return true;
    }

    /** @return the subscribers; under the lock */
    int size() {
        return size;
    }

    /** @return the subscriber at {@code i}, below {@link #size()}; under the lock */
    @SuppressWarnings("unchecked")
    T get(int i) {
        return (T) items[i];
    }

    /** @return the subscribers, read without the lock */
    int count() {
        return count;
    }

    /** @return true while nobody subscribes */
    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Starts a walk over the first {@link #size()} subscribers.
     *
     * @return how many to walk
     */
    int beginWalk() {
        walking = true;
        return size;
    }

    /** Ends a walk, applying the leaves made during it. */
    void endWalk() {
        walking = false;
        List<Connection> left = leftDuringWalk;
        leftDuringWalk = null;
        if (left != null) {
            left.forEach(this::remove);
        }
    }

    /** @return references copied when the array grew or shrank, since it was made: what joins and leaves cost */
    long copied() {
        return copied;
    }

    /** @return the array's length, for tests */
    int capacity() {
        return items.length;
    }
}
