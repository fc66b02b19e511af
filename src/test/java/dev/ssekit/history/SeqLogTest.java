package dev.ssekit.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The in-memory store's log: order kept across the ring's wrap and growth, and reads found by binary search. */
class SeqLogTest {
    private static List<Long> all(SeqLog<Long> log) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < log.size(); i++) {
            out.add(log.get(i));
        }
        return out;
    }

    @Test
    void addAndPoll_keepOrderAcrossWrapAndGrowth() {
        SeqLog<Long> log = new SeqLog<>(Long::longValue);
        for (long s = 1; s <= 12; s++) {
            log.add(s);
        }
        for (int i = 0; i < 10; i++) {
            log.poll(); // the head moves on: the next adds wrap around the ring
        }
        for (long s = 13; s <= 40; s++) {
            log.add(s); // and grow it while wrapped
        }
        assertEquals(11L, log.peek());
        assertEquals(30, log.size());
        List<Long> expected = new ArrayList<>();
        for (long s = 11; s <= 40; s++) {
            expected.add(s);
        }
        assertEquals(expected, all(log));
    }

    @Test
    void firstAfter_findsTheFirstEntryPastASequenceNumber() {
        SeqLog<Long> log = new SeqLog<>(Long::longValue);
        for (long s = 2; s <= 20; s += 2) {
            log.add(s);
        }
        assertEquals(0, log.firstAfter(0));
        assertEquals(0, log.firstAfter(1));
        assertEquals(1, log.firstAfter(2));
        assertEquals(1, log.firstAfter(3));
        assertEquals(9, log.firstAfter(19));
        assertEquals(10, log.firstAfter(20));
        assertEquals(10, log.firstAfter(99));
    }

    @Test
    void removeIf_keepsTheOthersInOrder() {
        SeqLog<Long> log = new SeqLog<>(Long::longValue);
        for (long s = 1; s <= 20; s++) {
            log.add(s);
        }
        log.poll();
        log.removeIf(s -> s % 3 == 0);
        assertEquals(List.of(2L, 4L, 5L, 7L, 8L, 10L, 11L, 13L, 14L, 16L, 17L, 19L, 20L), all(log));
        log.clear();
        assertNull(log.poll());
    }
}
