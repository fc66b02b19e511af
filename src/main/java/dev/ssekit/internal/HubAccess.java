package dev.ssekit.internal;

import dev.ssekit.Hub;

import java.util.Collection;

/**
 * The calls on a {@link Hub} that only ssekit's own code makes (the hub app, the CDI integration),
 * so that they need not be public API. {@code Hub}'s static initializer installs them; holding a
 * {@code Hub} means its class is initialized, so they are always there when asked for.
 */
public final class HubAccess {
    /** What {@code Hub} hands over. */
    public interface Calls {
        /**
         * Checks, without subscribing, that a client could subscribe to {@code topics} now, so that an
         * endpoint can answer {@code 503} before it starts a stream; the subscribe checks again.
         */
        void checkRoom(Hub hub, Collection<String> topics);
    }

    private static volatile Calls calls;

    private HubAccess() {
    }

    /** Called once, by {@code Hub}'s static initializer. */
    public static void install(Calls value) {
        calls = value;
    }

    /**
     * @throws dev.ssekit.SubscriberLimitException if a subscriber limit is reached
     * @throws IllegalArgumentException if there are more topics than a subscription may name
     */
    public static void checkRoom(Hub hub, Collection<String> topics) {
        calls.checkRoom(Checks.notNull(hub, "hub"), topics);
    }
}
