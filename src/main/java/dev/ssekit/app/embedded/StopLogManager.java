package dev.ssekit.app.embedded;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;

/**
 * The embedded hub's {@link LogManager}: as the JDK's, except that the reset the JVM's shutdown runs
 * waits for the hub's stop, so that the stop's own log lines (its phases, what ran out of time) are
 * written.
 *
 * <p>Why: the JDK's manager registers a shutdown hook of its own that resets it, closing and removing
 * every handler; shutdown hooks run concurrently, so on SIGTERM the hub's stop, itself a hook, logged
 * into no handler after its first milliseconds and nobody saw which phase ran long (bench run Y).
 * Tomcat answers the same race the same way (its {@code ClassLoaderLogManager}, whose reset its own
 * shutdown hook runs last).
 *
 * <p>Chosen by {@code java.util.logging.manager}, which only counts before the first use of Java
 * logging: {@link EmbeddedHub#main} sets it first thing unless the command line named a manager.
 * Where logging was in use already (a launcher that logged before), the JDK's manager stays and the
 * stop's lines may be lost as before; nothing else changes.
 */
public final class StopLogManager extends LogManager {
    // The hub's stop in this JVM: set when main registers its shutdown hook, counted down when the
    // stop ends. Static: the JDK makes the manager, with no way to hand it anything.
    private static volatile CountDownLatch stop;
    private static volatile long boundMillis;

    /** Made by the JDK, from {@code java.util.logging.manager}. */
    public StopLogManager() {
        super();
    }

    /**
     * Makes the reset at the JVM's shutdown wait for the hub's stop, at most {@code boundMillis}.
     *
     * @return the latch to count down when the stop ends
     */
    static CountDownLatch holdResetForStop(long boundMillis) {
        CountDownLatch ended = new CountDownLatch(1);
        StopLogManager.boundMillis = boundMillis;
        stop = ended;
        return ended;
    }

    /** @return whether Java logging in this JVM is managed by this class */
    static boolean inUse() {
        return LogManager.getLogManager() instanceof StopLogManager;
    }

    /**
     * Waits for the hub's stop before resetting, when the JVM is shutting down (the JDK's own shutdown
     * hook calls this); at any other time resets at once.
     */
    @Override
    public void reset() {
        CountDownLatch ended = stop;
        if (ended != null && shuttingDown()) {
            try {
                ended.await(boundMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.reset();
    }

    /**
     * @return whether the JVM's shutdown has begun: it refuses new shutdown hooks from then on
     *         ({@link Runtime#addShutdownHook} throws {@link IllegalStateException}), the one
     *         documented way to tell
     */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> {
        }, "ssekit-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException e) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }
}
