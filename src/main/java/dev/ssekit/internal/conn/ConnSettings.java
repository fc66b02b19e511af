package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;
import dev.ssekit.OverflowPolicy;

import java.time.Duration;

/**
 * How one connection behaves; checked when made.
 *
 * @param heartbeat     an idle connection gets a comment at least this often
 * @param queueCapacity how many events may wait for the client before the overflow policy applies
 * @param queueMaxBytes how many bytes of events may wait for the client before the overflow policy
 *                      applies (a single larger event still passes when nothing else waits)
 * @param queueMaxDelay an event that has waited this long for its client cuts the connection as a
 *                      slow consumer: a client that reads, but too slowly to catch up
 * @param overflow      what happens when the queue is full
 * @param writeTimeout  a write that takes longer fails the connection
 * @param maxLifetime   the connection is closed after this long; null for no limit
 * @param shutdownRetry the {@code retry:} hint written last when the connection's hub closes, so
 *                      that clients reconnect (to another node) after that long; null for none
 */
public record ConnSettings(Duration heartbeat, int queueCapacity, long queueMaxBytes, Duration queueMaxDelay,
                           OverflowPolicy overflow, Duration writeTimeout, Duration maxLifetime,
                           Duration shutdownRetry) {
    /** The default shutdown retry hint: clients come back after 5 s, once the node has gone. */
    public static final Duration DEFAULT_SHUTDOWN_RETRY = Duration.ofSeconds(5);

    /**
     * The defaults: 20 s heartbeat, 4096 events or 64 MiB queued, 30 s queue delay, disconnect on
     * overflow, 10 s write timeout, 5 s retry hint.
     */
    public static final ConnSettings DEFAULTS = new ConnSettings(
            Duration.ofSeconds(20), 4096, 64L * 1024 * 1024, Duration.ofSeconds(30), OverflowPolicy.DISCONNECT,
            Duration.ofSeconds(10), null, DEFAULT_SHUTDOWN_RETRY);

    /** Checks every field. */
    public ConnSettings {
        Checks.positive(heartbeat, "heartbeat");
        Checks.atLeast(queueCapacity, 1, "queueCapacity");
        if (queueMaxBytes < 1) {
            throw new IllegalArgumentException("queueMaxBytes must be at least 1, was " + queueMaxBytes);
        }
        Checks.positive(queueMaxDelay, "queueMaxDelay");
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
        return new ConnSettings(value, queueCapacity, queueMaxBytes, queueMaxDelay, overflow, writeTimeout,
                maxLifetime, shutdownRetry);
    }

    public ConnSettings withQueueCapacity(int value) {
        return new ConnSettings(heartbeat, value, queueMaxBytes, queueMaxDelay, overflow, writeTimeout,
                maxLifetime, shutdownRetry);
    }

    public ConnSettings withQueueMaxBytes(long value) {
        return new ConnSettings(heartbeat, queueCapacity, value, queueMaxDelay, overflow, writeTimeout,
                maxLifetime, shutdownRetry);
    }

    public ConnSettings withQueueMaxDelay(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, queueMaxBytes, value, overflow, writeTimeout,
                maxLifetime, shutdownRetry);
    }

    public ConnSettings withOverflow(OverflowPolicy value) {
        return new ConnSettings(heartbeat, queueCapacity, queueMaxBytes, queueMaxDelay, value, writeTimeout,
                maxLifetime, shutdownRetry);
    }

    public ConnSettings withWriteTimeout(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, queueMaxBytes, queueMaxDelay, overflow, value,
                maxLifetime, shutdownRetry);
    }

    public ConnSettings withMaxLifetime(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, queueMaxBytes, queueMaxDelay, overflow, writeTimeout,
                Checks.notNull(value, "maxLifetime"), shutdownRetry);
    }

    public ConnSettings withShutdownRetry(Duration value) {
        return new ConnSettings(heartbeat, queueCapacity, queueMaxBytes, queueMaxDelay, overflow, writeTimeout,
                maxLifetime, Checks.positive(value, "shutdownRetry"));
    }
}
