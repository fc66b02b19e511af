package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;
import dev.ssekit.OverflowPolicy;

import java.time.Duration;

/**
 * How one connection behaves; checked when made.
 *
 * @param heartbeat     an idle connection gets a comment at least this often
 * @param queueCapacity how many events may wait for the client before the overflow policy applies
 * @param overflow      what happens when the queue is full
 * @param writeTimeout  a write that takes longer fails the connection
 * @param maxLifetime   the connection is closed after this long; null for no limit
 * @param shutdownRetry the {@code retry:} hint written last when the connection's hub closes, so
 *                      that clients reconnect (to another node) after that long; null for none
 */
public record ConnSettings(Duration heartbeat, int queueCapacity, OverflowPolicy overflow,
                           Duration writeTimeout, Duration maxLifetime, Duration shutdownRetry) {
    /** The default shutdown retry hint: clients come back after 5 s, once the node has gone. */
    public static final Duration DEFAULT_SHUTDOWN_RETRY = Duration.ofSeconds(5);

    /** The defaults: 20 s heartbeat, 4096 events, disconnect on overflow, 10 s write timeout, 5 s retry hint. */
    public static final ConnSettings DEFAULTS = new ConnSettings(
            Duration.ofSeconds(20), 4096, OverflowPolicy.DISCONNECT, Duration.ofSeconds(10), null,
            DEFAULT_SHUTDOWN_RETRY);

    /** Checks every field. */
    public ConnSettings {
        Checks.positive(heartbeat, "heartbeat");
        Checks.atLeast(queueCapacity, 1, "queueCapacity");
        Checks.notNull(overflow, "overflowPolicy");
        Checks.positive(writeTimeout, "writeTimeout");
        if (maxLifetime != null) {
            Checks.positive(maxLifetime, "maxLifetime");
        }
        if (shutdownRetry != null) {
            Checks.positive(shutdownRetry, "shutdownRetry");
        }
    }

    public ConnSettings withHeartbeat(Duration value) {
        return new ConnSettings(value, queueCapacity, overflow, writeTimeout, maxLifetime, shutdownRetry);
    }

    public ConnSettings withQueueCapacity(int value) {
        return new ConnSettings(heartbeat, value, overflow, writeTimeout, maxLifetime, shutdownRetry);
    }

    public ConnSettings withOverflow(OverflowPolicy value) {
        return new ConnSettings(heartbeat, queueCapacity, value, writeTimeout, maxLifetime, shutdownRetry);
    }

    public ConnSettings withWriteTimeout(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, overflow, value, maxLifetime, shutdownRetry);
    }

    public ConnSettings withMaxLifetime(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, overflow, writeTimeout,
                Checks.notNull(value, "maxLifetime"), shutdownRetry);
    }

    public ConnSettings withShutdownRetry(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, overflow, writeTimeout, maxLifetime,
                Checks.positive(value, "shutdownRetry"));
    }
}
