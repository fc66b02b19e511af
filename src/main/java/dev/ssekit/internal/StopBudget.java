package dev.ssekit.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The time a stop may take ({@code ssekit.shutdown.timeout}), split into phases that end at fixed
 * shares of it, so that a phase that runs out of time (a slow store, stalled clients) cannot take
 * the next one's, and one that finishes early leaves its time to the next.
 *
 * <p>Why a bound at all: a platform kills a process that has not stopped within its grace period
 * (Kubernetes: 30 s by default), mid-stop, before the streams got their retry hint and before the
 * store was closed. Each wait of a stop is bounded on its own (publish, store and write timeouts),
 * but they add up to more than that on a bad day.
 *
 * <p>One budget per stop of an application: a container stops the hub app's hub and the injected
 * hub one after another, and each starting its own budget let an undeploy take a multiple of the
 * timeout. The application's stop starts one
 * ({@code SseKitExtension}, before the container destroys the application's beans), and every
 * stop begun until it ends joins it ({@link #currentOrStartingNow}); a stop outside it (a hub
 * closed by its own code while the application runs) has its own.
 */
public final class StopBudget {
    /** Accepted publishes stored and handed on, a shared store followed to its end: up to 40 %. */
    public static final double PUBLISHES = 0.40;
    /** Streams written their queued events and the retry hint, the stalled ones cut: up to 70 %. */
    public static final double STREAMS = 0.70;
    /** The registry's threads stopped and its store closed: up to 85 %; the rest is the container's. */
    public static final double THREADS = 0.85;
    /** The end of the whole stop. */
    public static final double ALL = 1.0;
    /**
     * The least a step is waited for even when its phase has run out (an earlier step took it),
     * within the whole stop's end: a store close never gets no time at all.
     */
    static final long MIN_STEP_MILLIS = 1000;

    // The application's stop while it runs: Hub.close() has no parameter for it. Static: the
    // library's classes belong to one application (WEB-INF/lib), whose stop is one at a time.
    private static volatile StopBudget application;

    private final LongSupplier clock;
    private final long start;
    private final long total;

    private StopBudget(LongSupplier clock, Duration total) {
        this.total = Checks.positive(total, "shutdownTimeout").toNanos();
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /**
     * @param total the whole stop's bound
     * @return a budget starting now
     */
    public static StopBudget startingNow(Duration total) {
        return new StopBudget(System::nanoTime, total);
    }

    /**
     * @param total     the whole stop's bound
     * @param nanoClock the clock in nanoseconds that the phases are measured on ({@link System#nanoTime()}
     *                  but in tests, which move it to the end of a phase rather than wait for it)
     * @return a budget starting at the clock's present reading
     */
    public static StopBudget starting(Duration total, LongSupplier nanoClock) {
        return new StopBudget(Checks.notNull(nanoClock, "nanoClock"), total);
    }

    /**
     * @param total the bound of a stop of its own
     * @return the application's stop if one is running ({@link #beginApplicationStop}), else a new
     *         budget of {@code total} starting now
     */
    public static StopBudget currentOrStartingNow(Duration total) {
        StopBudget running = application;
        return running != null ? running : startingNow(total);
    }

    /**
     * Makes {@code stop} the budget of every stop begun until {@link #endApplicationStop}: the
     * container stops the application's registries one after another, each within it.
     */
    public static void beginApplicationStop(StopBudget stop) {
        application = Checks.notNull(stop, "stop");
    }

    /** Ends the application's stop {@code stop}; later stops start budgets of their own. */
    public static void endApplicationStop(StopBudget stop) {
        if (application == stop) {
            application = null;
        }
    }

    /** @return the clock's reading ({@link System#nanoTime()} but in tests) at which the phase ending at {@code share} ends */
    public long deadline(double share) {
        return start + (long) (total * share);
    }

    /** @return milliseconds left until the phase ending at {@code share} ends, at least 0 */
    public long millisLeft(double share) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline(share) - clock.getAsLong()));
    }

    /** @return time left until the phase ending at {@code share} ends, at least zero */
    public Duration left(double share) {
        return Duration.ofMillis(millisLeft(share));
    }

    /**
     * Runs {@code step} (a store call, a close) on a thread of its own and waits for it until the
     * phase ending at {@code share} ends, or {@link #MIN_STEP_MILLIS} if that is later (but not past
     * the whole stop's end); past that the stop goes on and the step is left to finish or to end
     * with the process. A failure of the step is logged.
     *
     * @return true if the step finished in time
     */
    public boolean runWithin(double share, String what, Logger log, Runnable step) {
        Thread t = new Thread(() -> {
            try {
                step.run();
            } catch (RuntimeException | Error e) {
                log.log(Level.WARNING, "ssekit: " + what + " failed at stop: " + e, e);
            }
        }, "ssekit-stop");
        t.setDaemon(true);
        t.start();
        try {
            long left = Math.max(millisLeft(share), Math.min(MIN_STEP_MILLIS, millisLeft(ALL)));
            if (left > 0) {
                t.join(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warning("ssekit: " + what + " did not finish within its share of the shutdown timeout ("
                    + Checks.describe(Duration.ofNanos(total)) + "); the stop goes on without it");
            return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "StopBudget{" + Checks.describe(Duration.ofNanos(total)) + "}";
    }
}
