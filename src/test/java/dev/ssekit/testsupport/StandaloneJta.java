package dev.ssekit.testsupport;

import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import com.arjuna.ats.jdbc.TransactionalDriver;

import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

import javax.sql.DataSource;
import javax.sql.XADataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Narayana, the transaction manager inside WildFly, standalone: a real JTA transaction manager and
 * registry for tests outside a server, and a {@link DataSource} whose connections join the calling
 * thread's transaction (through Narayana's transactional JDBC driver over an {@link XADataSource}),
 * as a server's JTA DataSource does.
 */
public final class StandaloneJta {
    static {
        // Narayana's transaction log, out of the working directory.
        String dir = Path.of("target", "narayana-object-store").toAbsolutePath().toString();
        System.setProperty("ObjectStoreEnvironmentBean.objectStoreDir", dir);
        System.setProperty("com.arjuna.ats.arjuna.objectstore.objectStoreDir", dir);
    }

    private StandaloneJta() {
    }

    /** @return the process's transaction manager */
    public static TransactionManager transactionManager() {
        return com.arjuna.ats.jta.TransactionManager.transactionManager();
    }

    /** @return the registry of the process's transactions */
    public static TransactionSynchronizationRegistry registry() {
        return new TransactionSynchronizationRegistryImple();
    }

    /** Runs {@code work} in a new transaction and commits it, or rolls it back if {@code work} throws. */
    public static <T> T inTransaction(Callable<T> work) throws Exception {
        TransactionManager tm = transactionManager();
        tm.begin();
        T result;
        try {
            result = work.call();
        } catch (Exception | Error e) {
            tm.rollback();
            throw e;
        }
        tm.commit();
        return result;
    }

    /**
     * @param xa    the database's XA data source, for connections inside transactions
     * @param plain the same database's plain data source, for connections outside them
     * @return a DataSource whose connections, inside a transaction, are enlisted in it (and outside
     *         one are plain local connections). As a server's pool does, it hands out one connection
     *         per transaction, so that the transaction has one resource and commits in one phase
     *         (PostgreSQL refuses two-phase commits unless {@code max_prepared_transactions} is set).
     */
    public static DataSource enlisting(XADataSource xa, DataSource plain, String user, String password) {
        TransactionSynchronizationRegistry registry = registry();
        Object key = new Object();
        return new ConnectionSource() {
            @Override
            public Connection getConnection() throws SQLException {
                if (registry.getTransactionStatus() == jakarta.transaction.Status.STATUS_NO_TRANSACTION) {
                    // A plain connection: the transactional driver's keep a transaction open after close.
                    return plain.getConnection();
                }
                Connection shared = (Connection) registry.getResource(key);
                if (shared == null) {
                    Connection real = open();
                    shared = (Connection) java.lang.reflect.Proxy.newProxyInstance(StandaloneJta.class.getClassLoader(),
                            new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                                if (method.getName().equals("close")) {
                                    return null; // closed with the transaction
                                }
                                try {
                                    return method.invoke(real, args);
                                } catch (java.lang.reflect.InvocationTargetException e) {
                                    throw e.getCause();
                                }
                            });
                    registry.putResource(key, shared);
                    registry.registerInterposedSynchronization(new jakarta.transaction.Synchronization() {
                        @Override
                        public void beforeCompletion() {
                        }

                        @Override
                        public void afterCompletion(int status) {
                            try {
                                real.close();
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    });
                }
                return shared;
            }

            private Connection open() throws SQLException {
                Properties props = new Properties();
                props.put(TransactionalDriver.XADataSource, xa);
                if (user != null) {
                    props.put(TransactionalDriver.userName, user);
                    props.put(TransactionalDriver.password, password == null ? "" : password);
                }
                return new TransactionalDriver().connect(TransactionalDriver.arjunaDriver, props);
            }
        };
    }
}
