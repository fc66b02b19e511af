package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.spi.TopicMatcher;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where published events are kept so that a reconnecting client can be sent what it missed.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Calls are synchronous: a call returns once the store has done what it says, and fails with
 *   an exception otherwise. ssekit never calls a store while holding a lock that fan-out or
 *   subscribers wait for.</li>
 *   <li>Ids are opaque strings, unique in the store and strictly ordered by append: an event appended
 *   after another is read after it, whatever its topics.</li>
 *   <li>{@link #append(List)} stores a batch atomically and in order: every entry or none, each with
 *   an id greater than the previous entry's. It returns only once the batch is durable as far as the
 *   store promises durability: nothing is acknowledged that was not kept, and an id once returned is
 *   never given to another event, after a crash either. ssekit's publishers share one batch, and so
 *   one round trip, when they publish at the same time (group commit): one batch per
 *   {@link #batchKey key}.</li>
 *   <li>Appends may come from several threads and, on a shared store, from several nodes; a store
 *   orders them itself.</li>
 *   <li>{@link #read} returns, oldest first and each once, the retained events on any of the given
 *   topics after one id, up to another; {@link #readMatching} the same for the events whose topics a
 *   {@link TopicMatcher} accepts, whatever they are. {@link #readPage} and {@link #readMatchingPage}
 *   read the same in pages of a bounded size: a replay reads one page, writes it to the client, and
 *   reads the next after the last id of the one before, so what a replay holds is one page.
 *   {@link #count} says, before that, how many events the range holds up to a bound.</li>
 *   <li>Retention by count and by age is the store's own; an expired id reads as unknown.</li>
 *   <li>Failures: {@link IllegalArgumentException} for arguments the store can never accept,
 *   {@link DuplicateIdException} for an id already stored (or given twice in one batch), and
 *   {@link HistoryStoreException} for everything else (unreachable, refused, closed:
 *   {@link HistoryStoreException#isClosed()}). After a {@link HistoryStoreException} from an
 *   append, no event of the batch was acknowledged.</li>
 * </ul>
 */
public interface HistoryStore extends AutoCloseable {
    /** The {@code Last-Event-ID} that asks for everything retained. */
    String EARLIEST = "earliest";

    /**
     * One event to store and its topics.
     *
     * @param topics the event's topics, at least one; kept in the order given
     * @param event  a message event; its id is kept when set, assigned by the store otherwise
     */
    record Entry(Set<String> topics, Event event) {
        /**
         * @throws IllegalArgumentException for no topics or a comment event
         * @throws NullPointerException     for a null argument
         */
        public Entry {
            StoreArguments.checkAppend(topics, event);
            // In the publisher's order: an event on several topics is counted under its first.
            topics = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(topics));
        }
    }

    /**
     * Stores a batch of events atomically, in order.
     *
     * @param batch at least one entry
     * @return the events as stored, each carrying its id, in the order of {@code batch}
     * @throws DuplicateIdException     if an entry's id is already stored or given twice; nothing is stored
     * @throws HistoryStoreException    if the store failed; nothing of the batch is acknowledged
     * @throws IllegalArgumentException if an entry can never be stored here (an id or topic the store
     *                                  cannot hold)
     */
    List<Event> append(List<Entry> batch);

    /**
     * Which entries may share one {@link #append(List)}. Publishers that publish at the same time
     * share one append (group commit); entries with different keys are appended separately, one
     * append per key (on a {@link SharedHistoryStore}, at the same time), so that a store whose
     * append goes to one place chosen by its entries (a partition, a shard) gets batches of one
     * place each, rather than batches mixing places that must all go to one. Each publisher's own
     * events keep their order across keys.
     *
     * <p>The default gives every entry the same key: one append takes all concurrent publishes.
     * {@link RedisHistoryStore} answers the partition an entry is appended to alone.
     *
     * <p>It is called for each entry, maybe more than once, while publishers wait: it must be quick,
     * must not block or fail, and must give an entry the same key every time. Keys should be few
     * (one per place): a hub stores keys that differ modulo 16 at the same time, others in turn.
     *
     * @param entry an entry about to be appended
     * @return its key: entries with equal keys may be appended together
     */
    default int batchKey(Entry entry) {
        return 0;
    }

    /**
     * Stores one event: a batch of one.
     *
     * @param topics the event's topics, at least one
     * @param event  a message event; its id is kept when set, assigned otherwise
     * @return the event as stored, carrying its id
     * @throws DuplicateIdException     if its id is already stored
     * @throws HistoryStoreException    if the store failed
     * @throws IllegalArgumentException for no topics, a comment event, or an id or topic the store
     *                                  cannot hold
     */
    default Event append(Set<String> topics, Event event) {
        return append(List.of(new Entry(topics, event))).get(0);
    }

    /**
     * Reads the retained events on any of {@code topics} after {@code afterId} up to
     * {@code untilId}.
     *
     * @param topics  the topics, at least one
     * @param afterId read after this id (exclusive); {@link #EARLIEST} for all retained events. An
     *                unknown or expired id reads all retained events and reports it as not found.
     * @param untilId read up to this id (inclusive); null for up to the newest. A store that can no
     *                longer place an expired {@code untilId} may read up to its newest event: the
     *                caller drops what it already holds live.
     * @return the events, oldest first
     * @throws HistoryStoreException if the store failed
     */
    Replay read(Set<String> topics, String afterId, String untilId);

    /**
     * Reads the retained events after {@code afterId} up to {@code untilId} whose topics
     * {@code matcher} accepts, whatever those topics are: the replay of a subscription that chooses
     * its topics by a matcher (a wildcard, URI templates, URL patterns) rather than by name. Each
     * retained event in that range is offered to the matcher once, with the topics the store still
     * keeps it under, oldest first.
     *
     * <p>The store cannot ask the matcher about an event it no longer has, so the id counts as found
     * only when no event at all after it was dropped or has expired, whatever its topics: a gap on
     * some topic reads as not found, and the events then start at the earliest retained one.
     *
     * <p>Every store implements it: a subscription by matcher must replay what it missed as one by
     * topic name does (the Mercure protocol requires it), so there is no fallback to exact topics.
     *
     * @param matcher chooses events by their topics; it must be quick and must not block
     * @param afterId read after this id (exclusive), as in {@link #read}; {@link #EARLIEST} for all
     *                retained events
     * @param untilId read up to this id (inclusive), as in {@link #read}; null for up to the newest
     * @return the events, oldest first
     * @throws HistoryStoreException if the store failed
     */
    Replay readMatching(TopicMatcher matcher, String afterId, String untilId);

    /**
     * Reads at most {@code limit} events of what {@link #read} would return: the first page of that
     * range, or, with {@code afterId} the last id of the page before, the next one. It returns fewer
     * than {@code limit} events only when the range holds no more, so a replay reads pages until one
     * comes back short. {@link Replay#afterIdFound()} is as in {@link #read}: for a later page it says
     * whether the events after the page before are still all retained.
     *
     * <p>The default reads the whole range with {@link #read} and keeps the first {@code limit}
     * events: correct, but it holds the whole range during the call. A store that can read a bounded
     * range (a {@code LIMIT}, a {@code COUNT}) overrides it; the stores of this package do.
     *
     * @param limit the most events returned, at least 1
     * @throws IllegalArgumentException if {@code limit} is below 1, or as in {@link #read}
     * @throws HistoryStoreException if the store failed
     */
    default Replay readPage(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkLimit(limit);
        return Replay.firstOf(read(topics, afterId, untilId), limit);
    }

    /**
     * Reads at most {@code limit} events of what {@link #readMatching} would return, as
     * {@link #readPage} does for {@link #read}: fewer than {@code limit} only when the range holds no
     * more. A store may look at more than {@code limit} events to find that many the matcher accepts.
     *
     * <p>The default reads the whole range with {@link #readMatching} and keeps the first
     * {@code limit} events; the stores of this package read a bounded range instead.
     *
     * @param limit the most events returned, at least 1
     * @throws IllegalArgumentException if {@code limit} is below 1, or as in {@link #readMatching}
     * @throws HistoryStoreException if the store failed
     */
    default Replay readMatchingPage(TopicMatcher matcher, String afterId, String untilId, int limit) {
        StoreArguments.checkLimit(limit);
        return Replay.firstOf(readMatching(matcher, afterId, untilId), limit);
    }

    /**
     * Counts, up to {@code limit}, the events a replay after {@code afterId} up to {@code untilId}
     * reads: with topics, what {@link #read} returns; with no topics (an empty set), every retained
     * event of the range whatever its topics, which is what {@link #readMatching} offers its matcher.
     * An unknown or expired {@code afterId} counts from the earliest retained event, as the reads do
     * (for no topics, a gap on any topic, as in {@link #readMatching}).
     *
     * <p>A replay asks it once before it reads anything, to learn whether the client missed more
     * than a replay may write ({@code ssekit.replay.max.events}): so it must cost about one query,
     * however long the history, and never hold the events. The stores of this package count in the
     * store (an index range in memory, a {@code COUNT} over at most {@code limit} rows in SQL, a
     * script over the stream ids in Redis). The default reads pages of {@link #readPage} or
     * {@link #readMatchingPage} up to {@code limit} events and counts them: correct, but it reads
     * the events; a store that can count overrides it.
     *
     * @param topics  the topics, or an empty set for every event of the range
     * @param afterId count after this id (exclusive), as in {@link #read}; {@link #EARLIEST} for all
     *                retained events
     * @param untilId count up to this id (inclusive), as in {@link #read}; null for up to the newest
     * @param limit   the most that is counted, at least 1
     * @return how many events the range holds, or {@code limit} when it holds {@code limit} or more
     *         (also when events after {@code afterId} were dropped while the default counted)
     * @throws IllegalArgumentException if {@code limit} is below 1
     * @throws HistoryStoreException if the store failed
     */
    default int count(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkCount(topics, afterId, limit);
        int page = Math.min(limit, StoreArguments.COUNT_PAGE);
        String after = afterId;
        int counted = 0;
        while (counted < limit) {
            int want = Math.min(page, limit - counted);
            Replay r = topics.isEmpty() ? readMatchingPage(t -> true, after, untilId, want)
                    : readPage(topics, after, untilId, want);
            if (counted > 0 && !r.afterIdFound()) {
                return limit; // dropped while counted: the client cannot be replayed to without a gap
            }
            counted += r.events().size();
            if (r.events().size() < want) {
                break;
            }
            after = r.events().get(r.events().size() - 1).id().orElseThrow();
        }
        return counted;
    }

    /**
     * @return the id of the newest event in the store, on any topic, if any
     * @throws HistoryStoreException if the store failed
     */
    Optional<String> latestId();

    /**
     * Checks, cheaply, that the store can serve now: what a readiness probe asks. It returns normally
     * when the store answered, and fails otherwise; it changes nothing. The default reads
     * {@link #latestId()}; a store with a cheaper probe (a connection's validation, a {@code PING})
     * overrides it.
     *
     * @throws HistoryStoreException naming why the store cannot serve (unreachable, refused, closed)
     */
    default void check() {
        latestId();
    }

    /** Releases the store's resources; what was stored stays where durable stores keep it. */
    @Override
    void close();
}
