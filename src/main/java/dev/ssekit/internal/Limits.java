package dev.ssekit.internal;

/**
 * What a registry accepts; checked when made.
 *
 * @param maxEventSize             the largest event data, in UTF-8 bytes
 * @param maxSubscribersPerTopic   subscribers one topic may have; 0 for no limit
 * @param maxSubscribers           connections the registry may have subscribed; 0 for no limit
 * @param maxTopicsPerSubscription topics one subscription may name
 * @param publishTimeout           how long a publisher waits for the history store to take its event
 */
public record Limits(int maxEventSize, int maxSubscribersPerTopic, int maxSubscribers, int maxTopicsPerSubscription,
                     java.time.Duration publishTimeout) {
    /** The default publish timeout: longer than a store call takes within the stores' own default timeouts. */
    public static final java.time.Duration DEFAULT_PUBLISH_TIMEOUT = java.time.Duration.ofSeconds(15);
    /** 1 MiB events, no subscriber limits, 100 topics per subscription, a 15 s publish timeout. */
    public static final Limits DEFAULTS = new Limits(1024 * 1024, 0, 0, 100, DEFAULT_PUBLISH_TIMEOUT);

    /** Checks every field. */
    public Limits {
        Checks.atLeast(maxEventSize, 1, "maxEventSize");
        Checks.atLeast(maxSubscribersPerTopic, 0, "maxSubscribersPerTopic");
        Checks.atLeast(maxSubscribers, 0, "maxSubscribers");
        Checks.atLeast(maxTopicsPerSubscription, 1, "maxTopicsPerSubscription");
        Checks.positive(publishTimeout, "publishTimeout");
    }

    public Limits withMaxEventSize(int value) {
        return new Limits(Checks.atLeast(value, 1, "maxEventSize"), maxSubscribersPerTopic, maxSubscribers,
                maxTopicsPerSubscription, publishTimeout);
    }

    public Limits withMaxSubscribersPerTopic(int value) {
        return new Limits(maxEventSize, Checks.atLeast(value, 1, "maxSubscribersPerTopic"), maxSubscribers,
                maxTopicsPerSubscription, publishTimeout);
    }

    public Limits withMaxSubscribers(int value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, Checks.atLeast(value, 1, "maxSubscribers"),
                maxTopicsPerSubscription, publishTimeout);
    }

    public Limits withMaxTopicsPerSubscription(int value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers,
                Checks.atLeast(value, 1, "maxTopicsPerSubscription"), publishTimeout);
    }

    public Limits withPublishTimeout(java.time.Duration value) {
        return new Limits(maxEventSize, maxSubscribersPerTopic, maxSubscribers, maxTopicsPerSubscription,
                Checks.positive(value, "publishTimeout"));
    }
}
