package dev.ssekit.history;

import java.util.Arrays;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Entries in ascending sequence order, appended at the tail and dropped at the head, as the
 * in-memory store keeps its logs: a ring of array slots, so that a read can find where it starts
 * by binary search rather than by walking from the oldest entry. An {@code ArrayDeque} offers no
 * index: a page of a long replay walked the whole log up to its start, under the store's lock,
 * once per page.
 *
 * @param <E> the entry type
 */
final class SeqLog<E> {
    private final ToLongFunction<E> seq;
    private Object[] slots = new Object[16];
    private int head; // index of the oldest entry
    private int size;

    /** @param seq an entry's sequence number; entries are added in ascending order of it */
    SeqLog(ToLongFunction<E> seq) {
        this.seq = seq;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Appends {@code e}, whose sequence number is above every other's. */
    void add(E e) {
        if (size == slots.length) {
            slots = toArray(slots.length * 2);
            head = 0;
        }
        slots[(head + size) % slots.length] = e;
        size++;
    }

    /** @return the oldest entry, or null */
    E peek() {
        return size == 0 ? null : get(0);
    }

    /** @return the oldest entry, removed, or null */
    E poll() {
        if (size == 0) {
            return null;
        }
        E e = get(0);
        slots[head] = null;
        head = (head + 1) % slots.length;
        size--;
        return e;
    }

    /** @return the entry at {@code index}, 0 the oldest */
    @SuppressWarnings("unchecked")
    E get(int index) {
        return (E) slots[(head + index) % slots.length];
    }

    /** @return the index of the first entry whose sequence number is above {@code after}; size() if none */
    int firstAfter(long after) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seq.applyAsLong(get(mid)) <= after) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Drops every entry {@code drop} accepts, keeping the others in order. */
    void removeIf(Predicate<E> drop) {
        Object[] kept = new Object[Math.max(16, slots.length)];
        int n = 0;
        for (int i = 0; i < size; i++) {
            E e = get(i);
            if (!drop.test(e)) {
                kept[n++] = e;
            }
        }
        slots = kept;
        head = 0;
        size = n;
    }

    void clear() {
        Arrays.fill(slots, null);
        head = 0;
        size = 0;
    }

    private Object[] toArray(int capacity) {
        Object[] out = new Object[capacity];
        for (int i = 0; i < size; i++) {
            out[i] = slots[(head + i) % slots.length];
        }
        return out;
    }
}
