package dev.ssekit.internal.dispatch;

import dev.ssekit.Conn.CloseReason;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Says, in the log, when subscribers are cut: a cut is never silent. The first cut is logged at
 * once; later ones are summed per topic and reason and logged at most once per
 * {@link #INTERVAL_NANOS} (on the next cut or sweep), so that a storm of cuts cannot flood the log.
 */
final class CutWarnings {
    private static final Logger LOG = Logger.getLogger(CutWarnings.class.getName());
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String registry;
    // Guarded by this.
    private final Map<String, Integer> pending = new TreeMap<>();
    private long lastLogged = System.nanoTime() - INTERVAL_NANOS;

    CutWarnings(String registry) {
        this.registry = registry;
    }

    /** @param cutBy which bound cut the connection, in words (see {@code Connection.cutBy()}) */
    void cut(Set<String> topics, CloseReason reason, String cutBy) {
        String why = (reason == CloseReason.SLOW_CONSUMER ? "slow consumer: " : "write timeout: ") + cutBy;
        synchronized (this) {
            for (String topic : topics) {
                pending.merge("topic \"" + topic + "\" (" + why + ")", 1, Integer::sum);
            }
        }
        flushIfDue();
    }

    /** Logs the cuts not logged yet, unless the last line is too recent. */
    void flushIfDue() {
        String summary;
        synchronized (this) {
            long now = System.nanoTime();
            if (pending.isEmpty() || now - lastLogged < INTERVAL_NANOS) {
                return;
            }
            lastLogged = now;
            StringBuilder b = new StringBuilder("ssekit: ").append(registry).append(" cut subscribers");
            pending.forEach((what, count) -> b.append("; ").append(count).append(" on ").append(what));
            pending.clear();
            summary = b.toString();
        }
        LOG.warning(summary);
    }
}
