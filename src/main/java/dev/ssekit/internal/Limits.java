package dev.ssekit.internal;

import java.time.Duration;

/**
 * What a registry accepts and spends; checked when made.
 *
 * @param maxEventSize             the largest event data, in UTF-8 bytes
 * @param maxSubscribersPerTopic   subscribers one topic may have; 0 for no limit
 * @param maxSubscribers           connections the registry may have subscribed; 0 for no limit
 * @param maxTopicsPerSubscription topics one subscription may name
 * @param publishTimeout           how long a publisher waits for the history store to take its event
 * @param maxStalledWriters        writer threads that clients which stopped reading may hold at
 *                                 once, beyond the pool's own; past it the longest-stalled one is cut
 * @param maxReplayEvents          events one connection's replay may write; a client that missed more
 *                                 gets none of them and the data-loss signal (see {@code Dispatcher})
 * @param shutdownTimeout          how long closing the registry may take in all (see {@link StopBudget})
 * @param reconnectWindow          over how long a node that must make every client catch up by replay
 *                                 (it missed events of a shared store) ends their streams
 */
public record Limits(int maxEventSize, int maxSubscribersPerTopic, int maxSubscribers, int maxTopicsPerSubscription,
                     Duration publishTimeout, int maxStalledWriters, int maxReplayEvents, Duration shutdownTimeout,
                     Duration reconnectWindow) {
    /** The default publish timeout: longer than a store call takes within the stores' own default timeouts. */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(15);
    /** The default cap on one connection's replay. */
    public static final int DEFAULT_MAX_REPLAY_EVENTS = 10_000;
    /**
     * The default shutdown timeout: within Kubernetes' default grace period (30 s) with room for the
     * container's own stop and the JVM's exit.
     */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);
    /**
     * The default reconnect window: long enough that a node's clients do not all read history in the
     * same second, short enough that none waits long for what it missed.
     */
    public static final Duration DEFAULT_RECONNECT_WINDOW = Duration.ofSeconds(10);
    /**
     * 1 MiB events, no subscriber limits, 100 topics per subscription, a 15 s publish timeout, 64
     * stalled writers, replays of up to 10,000 events, a 20 s shutdown timeout, a 10 s reconnect window.
     */
    public static final Limits DEFAULTS = new Limits(1024 * 1024, 0, 0, 100, DEFAULT_PUBLISH_TIMEOUT, 64,
            DEFAULT_MAX_REPLAY_EVENTS, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_RECONNECT_WINDOW);

    /** Checks every field. */
    public Limits {
        Checks.atLeast(maxEventSize, 1, "maxEventSize");
        Checks.atLeast(maxSubscribersPerTopic, 0, "maxSubscribersPerTopic");
        Checks.atLeast(maxSubscribers, 0, "maxSubscribers");
        Checks.atLeast(maxTopicsPerSubscription, 1, "maxTopicsPerSubscription");
        Checks.positive(publishTimeout, "publishTimeout");
        Checks.atLeast(maxStalledWriters, 0, "maxStalledWriters");
        Checks.atLeast(maxReplayEvents, 0, "maxReplayEvents");
        Checks.positive(shutdownTimeout, "shutdownTimeout");
        Checks.positive(reconnectWindow, "reconnectWindow");
    }

    public Limits withMaxEventSize(int value) {
        return new Limits(Checks.atLeast(value, 1, "maxEventSize"), maxSubscribersPerTopic, maxSubscribers,
                maxTopicsPerSubscription, publishTimeout, maxStalledWriters, maxReplayEvents, shutdownTimeout, reconnectWindow);
    }

    public Limits withMaxSubscribersPerTopic(int value) {
        return new Limits(maxEventSize, Checks.atLeast(value, 1, "maxSubscribersPerTopic"), maxSubscribers,
                maxTopicsPerSubscription, publishTimeout, maxStalledWriters, maxReplayEvents, shutdownTimeout, reconnectWindow);
    }

    public Limits withMaxSubscribers(int value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, Checks.atLeast(value, 1, "maxSubscribers"),
                maxTopicsPerSubscription, publishTimeout, maxStalledWriters, maxReplayEvents, shutdownTimeout, reconnectWindow);
    }

    public Limits withMaxTopicsPerSubscription(int value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers,
                Checks.atLeast(value, 1, "maxTopicsPerSubscription"), publishTimeout, maxStalledWriters,
                maxReplayEvents, shutdownTimeout, reconnectWindow);
    }

    public Limits withPublishTimeout(Duration value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers, maxTopicsPerSubscription,
                Checks.positive(value, "publishTimeout"), maxStalledWriters, maxReplayEvents, shutdownTimeout, reconnectWindow);
    }

    public Limits withMaxStalledWriters(int value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers, maxTopicsPerSubscription,
                publishTimeout, Checks.atLeast(value, 0, "maxStalledWriters"), maxReplayEvents, shutdownTimeout, reconnectWindow);
    }

    public Limits withMaxReplayEvents(int value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers, maxTopicsPerSubscription,
                publishTimeout, maxStalledWriters, Checks.atLeast(value, 0, "maxReplayEvents"), shutdownTimeout, reconnectWindow);
    }

    public Limits withShutdownTimeout(Duration value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers, maxTopicsPerSubscription,
                publishTimeout, maxStalledWriters, maxReplayEvents, Checks.positive(value, "shutdownTimeout"), reconnectWindow);
    }

    public Limits withReconnectWindow(Duration value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers, maxTopicsPerSubscription,
                publishTimeout, maxStalledWriters, maxReplayEvents, shutdownTimeout,
                Checks.positive(value, "reconnectWindow"));
    }
}
