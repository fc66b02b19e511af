package dev.ssekit.internal.tx;

import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The caller's JTA transaction, where there is one: the engine's only view of JTA. The one
 * implementation that touches {@code jakarta.transaction} ({@link JtaTransactions}) is loaded only
 * once the class is known to be there, so that ssekit runs unchanged without it (the embedded hub,
 * plain Java).
 */
public interface Transactions {
    /** No transactions: every publish is immediate. */
    Transactions NONE = new Transactions() {
        @Override
        public Tx current() {
            return null;
        }

        @Override
        public String toString() {
            return "no JTA";
        }
    };

    /**
     * @return the transaction the calling thread runs in, if it is still going to commit or roll
     *         back (active or marked for rollback); null otherwise
     */
    Tx current();

    /** One transaction, as the {@code TransactionSynchronizationRegistry} shows it. */
    interface Tx {
        /** @return what was stored under {@code key} in this transaction, or null */
        Object resource(Object key);

        /** Stores {@code value} under {@code key} for the rest of this transaction. */
        void putResource(Object key, Object value);

        /** @return true if the transaction can only roll back */
        boolean rollbackOnly();

        /**
         * Runs {@code completed} once the transaction ended, with true if it committed. Called on
         * the thread that completed it, after the commit.
         */
        void afterCompletion(Consumer<Boolean> completed);
    }

    /**
     * The server's registry at {@code java:comp/TransactionSynchronizationRegistry}, when the JTA API
     * is on the class path and the name resolves; {@link #NONE} otherwise.
     *
     * @param loader where to look for the JTA API
     */
    static Transactions lookup(ClassLoader loader) {
        try {
            Class.forName("jakarta.transaction.TransactionSynchronizationRegistry", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return NONE;
        }
        try {
            Transactions found = JtaTransactions.fromJndi();
            return found == null ? NONE : found;
        } catch (RuntimeException | LinkageError e) {
            Logger.getLogger(Transactions.class.getName()).log(Level.FINE,
                    "ssekit: no TransactionSynchronizationRegistry; publishing is immediate", e);
            return NONE;
        }
    }

    /**
     * @param registry a {@code jakarta.transaction.TransactionSynchronizationRegistry}
     * @return transactions as that registry sees them
     */
    static Transactions of(Object registry) {
        return JtaTransactions.of(registry);
    }
}
