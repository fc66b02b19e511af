package dev.ssekit.app.mercure;

import dev.ssekit.internal.Settings;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The concurrent connections one client may hold, the client being the subject ({@code sub}) of
 * its token: subscriptions are long-lived, and the specification asks hubs to limit them per client
 * as well as in all. Anonymous subscribers have no subject and count against the totals only
 * ({@code ssekit.max.subscribers}); a source address is not used, as clients behind one proxy or NAT
 * share it.
 */
@ApplicationScoped
public class ClientQuota {
    /** The setting: connections per token subject; 0, the default, for no limit. */
    public static final String SETTING = "ssekit.hub.max.connections.per.subject";

    private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();
    private volatile Integer max;

    /**
     * @return the limit, read once from the settings; 0 for none
     * @throws IllegalArgumentException naming the key and value when the setting is invalid
     */
    public int max() {
        Integer m = max;
        if (m == null) {
            m = Settings.current().integer(SETTING, 0, 0);
            max = m;
        }
        return m;
    }

    /**
     * Counts one more connection of {@code subject}.
     *
     * @param subject the token's subject; null (anonymous) is never limited here
     * @return what gives the place back, once the connection ends; call it exactly once
     * @throws LimitReached if the subject already holds {@link #max()} connections
     */
    public Runnable acquire(String subject) {
        int limit = max();
        if (subject == null || limit == 0) {
            return () -> { };
        }
        boolean[] taken = {false};
        held.compute(subject, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= limit) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        if (!taken[0]) {
            throw new LimitReached(limit);
        }
        return () -> held.computeIfPresent(subject, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** A client holds all the connections it may. */
    public static final class LimitReached extends RuntimeException {
        LimitReached(int limit) {
            super("the token's subject already holds its limit of " + limit + " connections (" + SETTING
                    + "); retry later");
        }
    }
}
