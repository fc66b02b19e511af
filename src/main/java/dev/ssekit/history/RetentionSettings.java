package dev.ssekit.history;

import dev.ssekit.internal.Checks;

import java.time.Clock;
import java.time.Duration;

/**
 * The retention settings every store's builder shares; each setter checks its value at once and
 * names it in the error.
 *
 * @param <B> the builder type, returned by every setter
 */
public abstract class RetentionSettings<B extends RetentionSettings<B>> {
    int maxEventsPerTopic = 10_000;
    Duration maxAge;
    Clock clock = Clock.systemUTC();

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
     * @param value the clock that dates events; for tests
     * @return this builder
     * @throws IllegalArgumentException if the value is null
     */
    public B clock(Clock value) {
        this.clock = Checks.notNull(value, "clock");
        return self();
    }
}
