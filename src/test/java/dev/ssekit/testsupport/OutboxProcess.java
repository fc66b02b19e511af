package dev.ssekit.testsupport;

import dev.ssekit.Hub;
import dev.ssekit.Topic;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.history.TransactionalHistoryStore;

import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of the outbox crash test: an application with a standalone JTA transaction manager
 * (Narayana) on PostgreSQL, whose transactions save an order and broadcast it through the JDBC
 * store's outbox.
 *
 * <ul>
 *   <li>{@code commit PREFIX N}: the relay is held shut (a gate in front of the store's relay, so
 *   that the kill lands between the commits and the relay, every time); commits N transactions,
 *   rolls one back, prints {@code COMMITTED id,id,...} and waits to be killed.</li>
 *   <li>{@code recover PREFIX}: starts as the application would after the crash, waits until the
 *   start-up relay has emptied the outbox, and prints {@code HISTORY id,id,...}, what a client
 *   replaying from {@code earliest} receives.</li>
 * </ul>
 */
public final class OutboxProcess {
    public static final String TOPIC = "orders";

    private OutboxProcess() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String prefix = args[1];
        PGXADataSource xa = new PGXADataSource();
        xa.setUrl(Services.POSTGRES_URL);
        PGSimpleDataSource plain = Services.postgres();
        DataSource ds = StandaloneJta.enlisting(xa, plain, Services.POSTGRES_USER, "");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + prefix + "orders (id VARCHAR(64) PRIMARY KEY)");
        }
        JdbcHistoryStore store = JdbcHistoryStore.builder(ds).tablePrefix(prefix).joinsTransactions(true)
                .pruneInterval(null).build();
        if (mode.equals("commit")) {
            commit(ds, new RelayHeldShut(store), prefix, Integer.parseInt(args[2]));
        } else {
            recover(store, prefix);
        }
    }

    private static void commit(DataSource ds, TransactionalHistoryStore store, String prefix, int count)
            throws Exception {
        Hub topics = Hub.builder().history(store).transactions(StandaloneJta.registry()).build();
        Topic<String> orders = topics.topic(TOPIC, String.class);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String order = "order-" + i;
            ids.add(StandaloneJta.inTransaction(() -> {
                save(ds, prefix, order);
                return orders.publish(order).id();
            }));
        }
        try {
            StandaloneJta.inTransaction(() -> {
                save(ds, prefix, "rolled-back");
                orders.publish("rolled-back");
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        System.out.println("COMMITTED " + String.join(",", ids));
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }

    private static void recover(JdbcHistoryStore store, String prefix) throws Exception {
        Hub topics = Hub.builder().history(store).transactions(StandaloneJta.registry()).build();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> outboxRows(store, prefix) == 0);
        Replay replay = topics.history().read(Set.of(TOPIC), HistoryStore.EARLIEST, null);
        List<String> ids = new ArrayList<>();
        replay.events().forEach(e -> ids.add(e.id().orElseThrow() + "=" + e.data()));
        System.out.println("HISTORY " + String.join(",", ids));
        System.out.flush();
        topics.close();
        store.close();
    }

    private static int outboxRows(JdbcHistoryStore store, String prefix) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(Services.POSTGRES_URL, Services.POSTGRES_USER, null);
             Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + prefix + "outbox")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void save(DataSource ds, String prefix, String order) throws Exception {
        try (Connection c = ds.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + prefix + "orders (id) VALUES (?)")) {
            s.setString(1, order);
            s.executeUpdate();
        }
    }

    /** The JDBC store with its relay held shut: committed events stay in the outbox. */
    private static final class RelayHeldShut extends ForwardingStore implements TransactionalHistoryStore {
        private final JdbcHistoryStore store;

        RelayHeldShut(JdbcHistoryStore store) {
            super(store);
            this.store = store;
        }

        @Override
        public Relayed relay() {
            try {
                new CountDownLatch(1).await(); // shut until the process is killed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Relayed.NONE;
        }

        @Override
        public boolean joinsTransactions() {
            return store.joinsTransactions();
        }

        @Override
        public void appendInTransaction(List<Entry> batch) {
            store.appendInTransaction(batch);
        }
    }
}
