package dev.ssekit.internal.tx;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.function.Consumer;

/** {@link Transactions} on a JTA {@link TransactionSynchronizationRegistry}. */
final class JtaTransactions implements Transactions {
    static final String JNDI_NAME = "java:comp/TransactionSynchronizationRegistry";

    private final TransactionSynchronizationRegistry registry;

    private JtaTransactions(TransactionSynchronizationRegistry registry) {
        this.registry = registry;
    }

    /** @return the server's registry, or null when the name does not resolve (no JNDI, no JTA) */
    static Transactions fromJndi() {
        try {
            Object found = new InitialContext().lookup(JNDI_NAME);
            return found instanceof TransactionSynchronizationRegistry r ? new JtaTransactions(r) : null;
        } catch (NamingException e) {
            return null;
        }
    }

    static Transactions of(Object registry) {
        if (!(registry instanceof TransactionSynchronizationRegistry r)) {
            throw new IllegalArgumentException("transactions must be a jakarta.transaction."
                    + "TransactionSynchronizationRegistry, got " + registry.getClass().getName());
        }
        return new JtaTransactions(r);
    }

    @Override
    public Tx current() {
        int status = registry.getTransactionStatus();
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            return null;
        }
        return new Tx() {
            @Override
            public Object resource(Object key) {
                return registry.getResource(key);
            }

            @Override
            public void putResource(Object key, Object value) {
                registry.putResource(key, value);
            }

            @Override
            public boolean rollbackOnly() {
                return registry.getRollbackOnly();
            }

            @Override
            public void afterCompletion(Consumer<Boolean> completed) {
                registry.registerInterposedSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int outcome) {
                        completed.accept(outcome == Status.STATUS_COMMITTED);
                    }
                });
            }
        };
    }

    @Override
    public String toString() {
        return "JTA (" + registry.getClass().getName() + ")";
    }
}
