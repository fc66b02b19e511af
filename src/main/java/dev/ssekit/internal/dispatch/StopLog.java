package dev.ssekit.internal.dispatch;

import dev.ssekit.internal.StopBudget;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The phases of one registry's stop and how long each took, logged as one line at its end: a stop
 * that ran long (a slow store, a follow behind, stalled clients) shows which part did, where the
 * budget's warnings only say that a part ran out.
 */
final class StopLog {
    private final String name;
    private final StopBudget budget;
    private final long started = System.nanoTime();
    private final StringBuilder line = new StringBuilder();
    private long last = started;

    StopLog(String name, StopBudget budget) {
        this.name = name;
        this.budget = budget;
    }

    /** Notes that the phase {@code what} ended now. */
    void ended(String what) {
        long now = System.nanoTime();
        line.append(line.length() == 0 ? "" : "; ").append(what).append(" in ")
                .append(TimeUnit.NANOSECONDS.toMillis(now - last)).append(" ms");
        last = now;
    }

    /** Logs the stop's phases, at INFO. */
    void log(Logger log) {
        long took = TimeUnit.NANOSECONDS.toMillis(last - started);
        // Named after the registry's close, whose phases these are, not after this helper.
        log.logp(java.util.logging.Level.INFO, Dispatcher.class.getName(), "close",
                () -> "ssekit: registry " + name + " stopped in " + took + " ms (" + budget + "): " + line);
    }
}
