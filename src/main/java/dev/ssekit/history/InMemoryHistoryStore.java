package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.internal.Checks;
import dev.ssekit.spi.TopicMatcher;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The default {@link HistoryStore}: bounded ring buffers in this JVM's memory, lost on restart.
 *
 * <h2>Retention and memory bound</h2>
 * An event is dropped when it is older than {@link Builder#maxAge} (default 1 hour), when its topic
 * holds more than {@link Builder#maxEventsPerTopic} newer events (default 10,000), or when the
 * whole store exceeds {@link Builder#maxEvents} events (default 100,000) or
 * {@link Builder#maxBytes} bytes (default 64 MiB), oldest first. The byte count is the event's text
 * at two bytes a character plus 200 bytes of bookkeeping, so the store's heap stays within about
 * {@code maxBytes} whatever is published.
 *
 * <h2>Ids</h2>
 * Ids it assigns look like {@code "lx2k9a-42"}: a prefix that differs on every start, so that ids of
 * a previous run read as unknown, then a sequence number. Ids given by the publisher are kept as
 * they are. A read after an id that has been dropped still counts the id as found when no event
 * after it on the requested topics was dropped: the client has missed nothing.
 */
public final class InMemoryHistoryStore implements HistoryStore {
    private static final int ENTRY_OVERHEAD_BYTES = 200;

    private final int maxEventsPerTopic;
    private final int maxEvents;
    private final long maxBytes;
    private final Duration maxAge;
    private final Clock clock;
    private final String idPrefix;

    // All guarded by this.
    private final SeqLog<Kept> log = new SeqLog<>(k -> k.seq);
    private final Map<String, TopicLog> topics = new HashMap<>();
    private final Map<String, Kept> byId = new HashMap<>();
    private long nextSeq = 1;
    /** droppedUpTo of the topics whose logs emptied and were removed, so reads stay gap-aware. */
    private long removedTopicsDroppedUpTo;
    /** The highest sequence number of an event gone from every topic: reads by matcher are gap-aware with it. */
    private long droppedUpTo;
    private long bytes;
    private int liveEntries;
    private boolean closed;

    private static final class Kept {
        final long seq;
        final long appendedMillis;
        final Event event;
        final Set<String> topics;
        final long bytes;
        int holders;

        Kept(long seq, long appendedMillis, Event event, Set<String> topics) {
            this.seq = seq;
            this.appendedMillis = appendedMillis;
            this.event = event;
            this.topics = topics;
            this.bytes = ENTRY_OVERHEAD_BYTES + 2L * (event.data().length()
                    + event.id().map(String::length).orElse(0) + event.type().map(String::length).orElse(0));
            this.holders = topics.size();
        }
    }

    private static final class TopicLog {
        final SeqLog<Kept> entries = new SeqLog<>(k -> k.seq);
        /** The highest sequence number dropped from this topic: reading after anything below it has a gap. */
        long droppedUpTo;

        TopicLog(long droppedUpTo) {
            this.droppedUpTo = droppedUpTo;
        }
    }

    private InMemoryHistoryStore(Builder b) {
        this.maxEventsPerTopic = b.maxEventsPerTopic;
        this.maxEvents = b.maxEvents;
        this.maxBytes = b.maxBytes;
        this.maxAge = b.maxAge;
        this.clock = b.clock;
        this.idPrefix = Long.toString(clock.millis(), 36) + "-";
    }

    /** @return a store with the default retention */
    public static InMemoryHistoryStore create() {
        return builder().build();
    }

    /** @return a builder for a store with chosen retention */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public synchronized List<Event> append(List<Entry> batch) {
        checkOpen();
        // Every check before the first change: a batch is stored whole or not at all.
        for (String id : StoreArguments.checkBatch(batch)) {
            if (byId.containsKey(id) || parseOwnSeq(id) > 0) {
                throw new DuplicateIdException(id);
            }
        }
        List<Event> stored = new ArrayList<>(batch.size());
        long now = clock.millis();
        for (Entry entry : batch) {
            stored.add(store(entry.topics(), entry.event(), now));
        }
        evictExpiredAndOverBudget(now);
        if (log.size() > 2 * liveEntries + 1024) {
            // Entries dropped from their topics wait in the global log until they reach its head;
            // behind an old event of a quiet topic that can be long: sweep them out, amortised O(1).
            log.removeIf(e -> e.holders == 0);
        }
        return stored;
    }

    private Event store(Set<String> topicSet, Event event, long now) {
        long seq = nextSeq++;
        Event stored = event.id().isPresent() ? event : event.withId(idPrefix + seq);
        Kept entry = new Kept(seq, now, stored, topicSet);
        log.add(entry);
        byId.put(stored.id().orElseThrow(), entry);
        bytes += entry.bytes;
        liveEntries++;
        for (String topic : entry.topics) {
            // A topic whose log emptied keeps, on its return, what was dropped from it before.
            TopicLog t = topics.computeIfAbsent(topic, k -> new TopicLog(removedTopicsDroppedUpTo));
            t.entries.add(entry);
            while (t.entries.size() > maxEventsPerTopic) {
                release(topic, t, t.entries.poll());
            }
        }
        return stored;
    }

    @Override
    public Replay read(Set<String> topicSet, String afterId, String untilId) {
        return readUpTo(topicSet, afterId, untilId, Integer.MAX_VALUE);
    }

    /** Copies at most {@code limit} events: a page holds that many, whatever the history holds. */
    @Override
    public Replay readPage(Set<String> topicSet, String afterId, String untilId, int limit) {
        StoreArguments.checkLimit(limit);
        return readUpTo(topicSet, afterId, untilId, limit);
    }

    private synchronized Replay readUpTo(Set<String> topicSet, String afterId, String untilId, int limit) {
        checkOpen();
        StoreArguments.checkRead(topicSet, afterId);
        evictExpiredAndOverBudget(clock.millis());
        long after = readStart(topicSet, afterId);
        boolean found = after >= 0;
        after = Math.max(after, 0);
        long until = untilSeq(untilId);
        List<Event> events = new ArrayList<>();
        if (topicSet.size() == 1) {
            TopicLog t = topics.get(topicSet.iterator().next());
            if (t != null) {
                collect(t.entries, after, until, events, limit);
            }
        } else {
            // The global log is in sequence order and holds each multi-topic event once.
            collectFromLog(after, until, topics -> containsAny(topics, topicSet), events, limit);
        }
        return new Replay(events, found);
    }

    /**
     * @return the sequence number a read on {@code topicSet} starts after: 0 for {@code earliest},
     *         or a negative number when {@code afterId} is unknown or events after it on those topics
     *         were dropped (a gap: the read starts at the earliest retained event, not found)
     */
    private long readStart(Set<String> topicSet, String afterId) {
        if (EARLIEST.equals(afterId)) {
            return 0;
        }
        long after = seqOf(afterId);
        if (after <= 0) {
            return -1;
        }
        for (String topic : topicSet) {
            TopicLog t = topics.get(topic);
            long dropped = t == null ? removedTopicsDroppedUpTo : t.droppedUpTo;
            if (dropped > after) {
                return -1; // events after the client's id were dropped: a gap
            }
        }
        return after;
    }

    /** @return as {@link #readStart}, for a read by matcher: a gap on any topic is a gap */
    private long readMatchingStart(String afterId) {
        if (EARLIEST.equals(afterId)) {
            return 0;
        }
        long after = seqOf(afterId);
        return after > 0 && droppedUpTo <= after ? after : -1;
    }

    /** @return the sequence number a read stops at: an unknown bound is the newest (see the class's documentation) */
    private long untilSeq(String untilId) {
        long until = untilId == null ? Long.MAX_VALUE : seqOf(untilId);
        return until <= 0 ? nextSeq - 1 : until;
    }

    /** Adds the kept events of the global log in (after, until] whose topics {@code select} accepts. */
    private void collectFromLog(long after, long until, java.util.function.Predicate<Set<String>> select,
                                List<Event> out, int limit) {
        for (int i = log.firstAfter(after); i < log.size() && out.size() < limit; i++) {
            Kept e = log.get(i);
            if (e.seq > until) {
                return;
            }
            if (e.holders > 0 && select.test(e.topics)) {
                out.add(e.event);
            }
        }
    }

    /**
     * Walks the global log, which is in sequence order and holds each event once with all its topics,
     * even those whose own logs already dropped it.
     */
    @Override
    public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
        return readMatchingUpTo(matcher, afterId, untilId, Integer.MAX_VALUE);
    }

    /** Copies at most {@code limit} events, as {@link #readPage} does. */
    @Override
    public Replay readMatchingPage(TopicMatcher matcher, String afterId, String untilId, int limit) {
        StoreArguments.checkLimit(limit);
        return readMatchingUpTo(matcher, afterId, untilId, limit);
    }

    private synchronized Replay readMatchingUpTo(TopicMatcher matcher, String afterId, String untilId, int limit) {
        checkOpen();
        StoreArguments.checkReadMatching(matcher, afterId);
        evictExpiredAndOverBudget(clock.millis());
        long after = readMatchingStart(afterId);
        boolean found = after >= 0;
        after = Math.max(after, 0);
        long until = untilSeq(untilId);
        List<Event> events = new ArrayList<>();
        collectFromLog(after, until, matcher::matches, events, limit);
        return new Replay(events, found);
    }

    /**
     * Counts in the logs, copying nothing: for one topic the difference of two indexes of its log;
     * otherwise a walk of the global log from the first event after {@code afterId}, which stops at
     * {@code limit} counted.
     */
    @Override
    public synchronized int count(Set<String> topicSet, String afterId, String untilId, int limit) {
        checkOpen();
        StoreArguments.checkCount(topicSet, afterId, limit);
        evictExpiredAndOverBudget(clock.millis());
        // Where the reads start: the same gap checks as theirs.
        long after = Math.max(0, topicSet.isEmpty() ? readMatchingStart(afterId) : readStart(topicSet, afterId));
        long until = untilSeq(untilId);
        if (topicSet.size() == 1) {
            TopicLog t = topics.get(topicSet.iterator().next());
            if (t == null) {
                return 0;
            }
            return (int) Math.min(limit, Math.max(0, t.entries.firstAfter(until) - t.entries.firstAfter(after)));
        }
        int n = 0;
        for (int i = log.firstAfter(after); i < log.size() && n < limit; i++) {
            Kept e = log.get(i);
            if (e.seq > until) {
                break;
            }
            if (e.holders > 0 && (topicSet.isEmpty() || containsAny(e.topics, topicSet))) {
                n++;
            }
        }
        return n;
    }

    private static void collect(SeqLog<Kept> entries, long after, long until, List<Event> out, int limit) {
        for (int i = entries.firstAfter(after); i < entries.size() && out.size() < limit; i++) {
            Kept e = entries.get(i);
            if (e.seq > until) {
                break;
            }
            out.add(e.event);
        }
    }
    private static boolean containsAny(Set<String> a, Set<String> b) {
        for (String s : b) {
            if (a.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** Up while open: the store is this process's memory. */
    @Override
    public void check() {
        checkOpen();
    }

    @Override
    public synchronized Optional<String> latestId() {
        checkOpen();
        Kept last = null;
        for (int i = log.size() - 1; i >= 0 && last == null; i--) {
            Kept e = log.get(i);
            if (e.holders > 0) {
                last = e;
            }
        }
        return last == null ? Optional.empty() : last.event.id();
    }

    /** @return how many events the store retains now */
    public synchronized int size() {
        return liveEntries;
    }

    /** @return entries in the global log, live or waiting to be swept out; for tests */
    synchronized int logLength() {
        return log.size();
    }

    /** @return whether the store holds a log for {@code topic}; for tests */
    synchronized boolean holdsTopic(String topic) {
        return topics.containsKey(topic);
    }

    /** @return the approximate heap the retained events take, in bytes */
    public synchronized long retainedBytes() {
        return bytes;
    }

    @Override
    public synchronized void close() {
        closed = true;
        log.clear();
        topics.clear();
        byId.clear();
        bytes = 0;
        liveEntries = 0;
    }

    private void checkOpen() {
        if (closed) {
            throw HistoryStoreException.closed("history store");
        }
    }

    /** The sequence number of an id: from the index, or parsed from an id this store assigned. */
    private long seqOf(String id) {
        Kept e = byId.get(id);
        if (e != null) {
            return e.seq;
        }
        long own = parseOwnSeq(id);
        return own > 0 && own < nextSeq ? own : -1;
    }

    private long parseOwnSeq(String id) {
        if (!id.startsWith(idPrefix) || id.length() == idPrefix.length() || id.length() > idPrefix.length() + 18) {
            return -1;
        }
        long seq = 0;
        for (int i = idPrefix.length(); i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq;
    }

    private void evictExpiredAndOverBudget(long now) {
        long oldestKept = maxAge == null ? Long.MIN_VALUE : now - maxAge.toMillis();
        while (!log.isEmpty()) {
            Kept head = log.peek();
            if (head.holders == 0) {
                log.poll();
                continue;
            }
            if (head.appendedMillis >= oldestKept && liveEntries <= maxEvents && bytes <= maxBytes) {
                break;
            }
            log.poll();
            // The oldest live entry is at the head of each of its topics.
            for (String topic : head.topics) {
                TopicLog t = topics.get(topic);
                if (t != null && t.entries.peek() == head) {
                    release(topic, t, t.entries.poll());
                }
            }
        }
    }

    private void release(String topic, TopicLog t, Kept e) {
        t.droppedUpTo = Math.max(t.droppedUpTo, e.seq);
        if (--e.holders == 0) {
            droppedUpTo = Math.max(droppedUpTo, e.seq);
            byId.remove(e.event.id().orElseThrow());
            bytes -= e.bytes;
            liveEntries--;
        }
        if (t.entries.isEmpty()) {
            topics.remove(topic); // no map entry per topic ever seen: topics may be unbounded
            removedTopicsDroppedUpTo = Math.max(removedTopicsDroppedUpTo, t.droppedUpTo);
        }
    }

    @Override
    public String toString() {
        return "InMemoryHistoryStore{maxEventsPerTopic=" + maxEventsPerTopic + ", maxEvents=" + maxEvents
                + ", maxBytes=" + maxBytes + ", maxAge=" + maxAge + "}";
    }

    /** Retention settings; each setter checks its value at once. */
    public static final class Builder extends RetentionSettings<Builder> {
        private int maxEvents = 100_000;
        private long maxBytes = 64L * 1024 * 1024;

        private Builder() {
            super(Duration.ofHours(1));
        }

        /** @param value events kept in all, at least 1 (default 100,000) */
        public Builder maxEvents(int value) {
            this.maxEvents = Checks.atLeast(value, 1, "maxEvents");
            return this;
        }

        /** @param value approximate bytes kept in all, at least 1 KiB (default 64 MiB) */
        public Builder maxBytes(long value) {
            if (value < 1024) {
                throw new IllegalArgumentException("maxBytes must be at least 1024, got " + value);
            }
            this.maxBytes = value;
            return this;
        }

        /** @return the store */
        public InMemoryHistoryStore build() {
            return new InMemoryHistoryStore(this);
        }
    }
}
