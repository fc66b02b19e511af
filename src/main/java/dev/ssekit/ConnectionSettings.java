package dev.ssekit;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.conn.ConnSettings;

import java.time.Duration;

/**
 * The connection settings shared by {@link Conn.Builder} and {@link Topics.Builder}; each setter
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
     * @param value how many events may wait for one client, at least 1 (default 1024)
     * @return this builder
     * @throws IllegalArgumentException if the value is below 1
     */
    public B queueCapacity(int value) {
        settings = settings.withQueueCapacity(value);
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
