package dev.ssekit;

import dev.ssekit.spi.TopicMatcher;

import java.util.Optional;
import java.util.Set;

/**
 * A connection's membership in one or more topics, as made by {@link Topic#subscribe} or
 * {@link Hub#subscribe}.
 */
public final class Subscription {
    private final Conn conn;
    private final Set<String> topics;
    private final String replayStartedAfter;
    private final int replayed;
    private final Hub owner;
    private final boolean matcher;

    Subscription(Conn conn, Set<String> topics, String replayStartedAfter, int replayed, Hub owner) {
        this(conn, topics, replayStartedAfter, replayed, owner, false);
    }

    Subscription(Conn conn, Set<String> topics, String replayStartedAfter, int replayed, Hub owner,
                 boolean matcher) {
        this.conn = conn;
        this.topics = Set.copyOf(topics);
        this.replayStartedAfter = replayStartedAfter;
        this.replayed = replayed;
        this.owner = owner;
        this.matcher = matcher;
    }

    /** @return the connection */
    public Conn conn() {
        return conn;
    }

    /** @return the topics subscribed to */
    public Set<String> topics() {
        return topics;
    }

    /**
     * The id after which replay started: the client's {@code Last-Event-ID} when history still held
     * everything after it, {@code "earliest"} when it asked for that or its id was unknown or expired
     * (so everything retained was replayed). Empty when no replay was asked for. This is the value of
     * the {@code Mercure-Last-Event-ID} response header.
     *
     * @return where replay started
     */
    public Optional<String> replayStartedAfter() {
        return Optional.ofNullable(replayStartedAfter);
    }

    /**
     * @return how many events the replay writes, known before it starts: exact when the replay is
     *         one page (500 events) or writes every event of its range; for a subscription by matcher
     *         or with a filter whose replay is longer than a page, the events of the range it looks at
     *         (at most {@code ssekit.replay.max.events}), of which the matcher or filter may keep fewer
     */
    public int replayed() {
        return replayed;
    }

    /** Leaves the topics (and drops its {@link TopicMatcher}, if it has one); the connection stays open. */
    public void cancel() {
        if (matcher) {
            owner.dispatcher().removeMatcher(conn.connection());
        }
        for (String topic : topics) {
            owner.dispatcher().unsubscribe(conn.connection(), topic);
        }
    }

    @Override
    public String toString() {
        return "Subscription{topics=" + topics + (replayStartedAfter == null ? "" : ", after=" + replayStartedAfter)
                + ", replayed=" + replayed + "}";
    }
}
