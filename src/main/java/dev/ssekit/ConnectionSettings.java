package dev.ssekit;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.conn.ConnSettings;

import java.time.Duration;

/**
 * The connection settings shared by {@link Conn.Builder} and {@link Hub.Builder}; each setter
 * checks its value at once and names it in the error.
 *
 * @param <B> the builder type, returned by every setter
 */
public abstract class ConnectionSettings<B extends ConnectionSettings<B>> {
    ConnSettings settings = ConnSettings.DEFAULTS;

    ConnectionSettings() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * @param value the longest an idle connection goes unwritten, and so the bound on noticing a
     *              client that has gone; positive (default 20 s). Idle connections get a heartbeat
     *              comment three times per interval (see {@link Conn}).
     * @return this builder
     * @throws IllegalArgumentException if the value is null, zero or negative
     */
    public B heartbeat(Duration value) {
        settings = settings.withHeartbeat(value);
        return self();
    }

    /**
     * @param value how many events may wait for one client, at least 1 (default 4096); the first
     *              event past it applies the overflow policy
     * @return this builder
     * @throws IllegalArgumentException if the value is below 1
     */
    public B queueCapacity(int value) {
        settings = settings.withQueueCapacity(value);
        return self();
    }

    /**
     * @param value how many bytes of events (their event-stream frames) may wait for one client, at
     *              least 1 (default 64 MiB); the first event past it applies the overflow policy, except
     *              that a single larger event passes when nothing else waits. A broadcast's frame is
     *              made once and shared by every subscriber's queue, so clients that fall behind on
     *              the same events hold those bytes once between them
     * @return this builder
     * @throws IllegalArgumentException if the value is below 1
     */
    public B queueMaxBytes(long value) {
        settings = settings.withQueueMaxBytes(value);
        return self();
    }

    /**
     * @param value the longest an event may wait for its client; positive (default 30 s). A client
     *              that reads, but too slowly to catch up, is cut as a slow consumer once its oldest
     *              queued event has waited longer, whatever the overflow policy: it reconnects and
     *              replays what it missed
     * @return this builder
     * @throws IllegalArgumentException if the value is null, zero or negative
     */
    public B queueMaxDelay(Duration value) {
        settings = settings.withQueueMaxDelay(value);
        return self();
    }

    /**
     * @param value what to do when a client's queue is full (default {@link OverflowPolicy#DISCONNECT})
     * @return this builder
     * @throws IllegalArgumentException if the value is null
     */
    public B overflowPolicy(OverflowPolicy value) {
        settings = settings.withOverflow(value);
        return self();
    }

    /**
     * @param value a write that takes longer ends the connection; positive (default 10 s)
     * @return this builder
     * @throws IllegalArgumentException if the value is null, zero or negative
     */
    public B writeTimeout(Duration value) {
        settings = settings.withWriteTimeout(value);
        return self();
    }

    /**
     * @param value connections are closed after this long; positive (default: no limit)
     * @return this builder
     * @throws IllegalArgumentException if the value is null, zero or negative
     */
    public B maxLifetime(Duration value) {
        settings = settings.withMaxLifetime(Checks.positive(value, "maxLifetime"));
        return self();
    }
}
