package dev.ssekit.history;

import dev.ssekit.internal.Checks;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The retention settings every store's builder shares; each setter checks its value at once and
 * names it in the error.
 *
 * @param <B> the builder type, returned by every setter
 */
abstract class RetentionSettings<B extends RetentionSettings<B>> {
    int maxEventsPerTopic = 10_000;
    Duration maxAge;
    Clock clock = Clock.systemUTC();
    Supplier<Duration> serverClockAhead = () -> Duration.ZERO;

    RetentionSettings(Duration defaultMaxAge) {
        this.maxAge = defaultMaxAge;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param value events kept per topic, at least 1 (default 10,000)
     * @return this builder
     * @throws IllegalArgumentException if the value is below 1
     */
    public B maxEventsPerTopic(int value) {
        this.maxEventsPerTopic = Checks.atLeast(value, 1, "maxEventsPerTopic");
        return self();
    }

    /**
     * @param value how long an event is kept, positive (the default depends on the store)
     * @return this builder
     * @throws IllegalArgumentException if the value is null, zero or negative
     */
    public B maxAge(Duration value) {
        this.maxAge = Checks.positive(value, "maxAge");
        return self();
    }

    /**
     * The node's clock. The in-memory store, which lives on one node, dates and expires events by
     * it. The shared stores do not: the Redis store takes ids and expiry from Redis's clock, and the
     * JDBC store dates and expires events by the database's {@code CURRENT_TIMESTAMP}, so that a node
     * whose clock is hours off can neither reuse an id nor delete history early. They ignore this
     * setting; it stays on their builders so that every builder has the same settings.
     *
     * @param value the node's clock (default the system clock, UTC); for tests
     * @return this builder
     * @throws IllegalArgumentException if the value is null
     */
    public B clock(Clock value) {
        this.clock = Checks.notNull(value, "clock");
        return self();
    }

    /**
     * For tests of the shared stores, whose time is their server's and cannot be set: how far that
     * clock is taken to be ahead of where it is, read at each use (default zero). It stands for time
     * passing on the server, as {@link #clock} does for the in-memory store.
     */
    B serverClockAhead(Supplier<Duration> value) {
        this.serverClockAhead = Checks.notNull(value, "serverClockAhead");
        return self();
    }
}
