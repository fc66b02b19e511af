package dev.ssekit;

/** When a publish happens relative to the caller's JTA transaction (see {@link Hub}, Transactions). */
public enum PublishMode {
    /**
     * After the calling thread's JTA transaction commits, never if it rolls back; at once where the
     * thread runs in none. The default.
     */
    AFTER_COMMIT,
    /** At once, whatever the transaction's outcome: for progress and failure events. */
    NOW
}
