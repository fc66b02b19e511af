package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.StandaloneJta;

import jakarta.transaction.TransactionManager;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.xa.PGXADataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishing inside JTA transactions of a real transaction manager (Narayana, standalone): with the
 * memory store (held until commit) and with the JDBC store on a DataSource that joins the
 * transaction (the outbox), on H2 and PostgreSQL.
 */
class TransactionalPublishTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final TransactionManager tm = StandaloneJta.transactionManager();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final String prefix = Services.tablePrefix("tx_u");
    private DataSource database;

    @AfterEach
    void closeAll() throws Exception {
        if (tm.getStatus() != jakarta.transaction.Status.STATUS_NO_TRANSACTION) {
            tm.rollback(); // a failed test's transaction must not leak into the next test
        }
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private Hub memoryTopics() {
        Hub topics = Hub.builder().transactions(StandaloneJta.registry()).build();
        closing.add(topics);
        return topics;
    }

    private DataSource h2() {
        JdbcDataSource xa = new JdbcDataSource();
        xa.setURL("jdbc:h2:mem:" + prefix + ";DB_CLOSE_DELAY=-1");
        xa.setUser("sa");
        xa.setPassword("");
        return StandaloneJta.enlisting(xa, xa, "sa", "");
    }

    private DataSource postgres() {
        Services.requirePostgres();
        PGXADataSource xa = new PGXADataSource();
        xa.setUrl(Services.POSTGRES_URL);
        closing.add(() -> {
            try (Connection c = java.sql.DriverManager.getConnection(Services.POSTGRES_URL, Services.POSTGRES_USER, null);
                 Statement s = c.createStatement()) {
                for (String t : new String[]{"event_topic", "event", "topic", "meta", "outbox", "orders"}) {
                    s.execute("DROP TABLE IF EXISTS " + prefix + t);
                }
            }
        });
        org.postgresql.ds.PGSimpleDataSource plain = new org.postgresql.ds.PGSimpleDataSource();
        plain.setUrl(Services.POSTGRES_URL);
        plain.setUser(Services.POSTGRES_USER);
        return StandaloneJta.enlisting(xa, plain, Services.POSTGRES_USER, "");
    }

    /** A registry on the JDBC store with its outbox, and the application's table beside it. */
    private Hub outboxTopics(DataSource ds) throws Exception {
        database = ds;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + prefix + "orders (id VARCHAR(64) PRIMARY KEY)");
        }
        JdbcHistoryStore store = JdbcHistoryStore.builder(ds).tablePrefix(prefix).joinsTransactions(true).build();
        closing.add(store);
        Hub topics = Hub.builder().history(store).transactions(StandaloneJta.registry()).build();
        closing.add(topics);
        return topics;
    }

    private void saveOrder(String id) throws Exception {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + prefix + "orders (id) VALUES (?)")) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }

    private int count(String table) throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + prefix + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<String> ids(Hub topics, String topic) {
        List<String> ids = new ArrayList<>();
        topics.history().read(Set.of(topic), HistoryStore.EARLIEST, null).events()
                .forEach(e -> ids.add(e.id().orElseThrow()));
        return ids;
    }

    private static String awaitStored(CompletionStage<String> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    // --- memory store: held until commit ---

    @Test
    void publish_inTransaction_isStoredOnlyAfterCommit() throws Exception {
        Hub topics = memoryTopics();
        Topic<String> orders = topics.topic("orders", String.class);
        tm.begin();
        String id = orders.publish("order 1").id();
        CompletionStage<String> stored = orders.publish("order 2").stored();
        assertTrue(id.startsWith("urn:uuid:"), id);
        assertEquals(List.of(), ids(topics, "orders"));
        assertFalse(stored.toCompletableFuture().isDone());
        tm.commit();
        String second = awaitStored(stored);
        await().atMost(WAIT).until(() -> ids(topics, "orders").size() == 2);
        assertEquals(List.of(id, second), ids(topics, "orders"));
    }

    @Test
    void publish_rolledBack_isNeverStored() throws Exception {
        Hub topics = memoryTopics();
        Topic<String> orders = topics.topic("orders", String.class);
        tm.begin();
        CompletionStage<String> stored = orders.publish("never").stored();
        tm.rollback();
        CancellationException failed = assertThrows(CancellationException.class, () -> awaitStored(stored));
        assertTrue(failed.getMessage().contains("rolled back"), failed.getMessage());
        String after = orders.publish("outside").id();
        assertEquals(List.of(after), ids(topics, "orders"));
    }

    @Test
    void publishNow_inTransaction_isStoredAtOnceWhateverTheOutcome() throws Exception {
        Hub topics = memoryTopics();
        Topic<String> orders = topics.topic("orders", String.class);
        tm.begin();
        String id = orders.publish("progress", PublishMode.NOW).id();
        String published = topics.publish(List.of("orders"), Event.of("also"), PublishMode.NOW).id();
        assertEquals(List.of(id, published), ids(topics, "orders"));
        tm.rollback();
        assertEquals(List.of(id, published), ids(topics, "orders"));
    }

    @Test
    void publish_outsideTransaction_isStoredOnReturn_andARefusalIsThrownAtTheCall() {
        Hub topics = memoryTopics();
        CompletionStage<String> stored = topics.publish(List.of("orders"), Event.of("x").withId("given-1")).stored();
        assertEquals("given-1", stored.toCompletableFuture().getNow(null));
        assertThrows(DuplicateIdException.class,
                () -> topics.publish(List.of("orders"), Event.of("y").withId("given-1")));
    }

    @Test
    void transactions_committingInOppositeOrder_arePublishedInCommitOrder_memory() throws Exception {
        Hub topics = memoryTopics();
        assertCommitOrder(topics, topics.topic("orders", String.class), false);
    }

    // --- JDBC store joining the transaction: the outbox ---

    @Test
    void outbox_commit_storesEventWithTheDataExactlyOnce_h2() throws Exception {
        assertOutboxCommitAndRollback(outboxTopics(h2()));
    }

    @Test
    void outbox_commit_storesEventWithTheDataExactlyOnce_postgres() throws Exception {
        assertOutboxCommitAndRollback(outboxTopics(postgres()));
    }

    @Test
    void outbox_transactionsCommittingInOppositeOrder_areStoredInCommitOrder_h2() throws Exception {
        Hub topics = outboxTopics(h2());
        assertCommitOrder(topics, topics.topic("orders", String.class), true);
    }

    @Test
    void outbox_transactionsCommittingInOppositeOrder_areStoredInCommitOrder_postgres() throws Exception {
        Hub topics = outboxTopics(postgres());
        assertCommitOrder(topics, topics.topic("orders", String.class), true);
    }

    @Test
    void outbox_anIdTakenBetweenTheWriteAndTheRelay_failsItsStage_h2() throws Exception {
        Hub topics = outboxTopics(h2());
        tm.begin();
        saveOrder("o9");
        CompletionStage<String> stage = topics.publish(List.of("orders"), Event.of("in the transaction")
                .withId("taken-id")).stored();
        // Another publisher, in no transaction, takes the id before the commit.
        Thread other = new Thread(() -> topics.publish(List.of("orders"), Event.of("first").withId("taken-id")));
        other.start();
        other.join(WAIT.toMillis());
        tm.commit();
        ExecutionException e = assertThrows(ExecutionException.class, () -> awaitStored(stage));
        assertEquals(DuplicateIdException.class, e.getCause().getClass(), String.valueOf(e.getCause()));
        List<Event> stored = topics.history().read(Set.of("orders"), HistoryStore.EARLIEST, null).events();
        assertEquals(List.of("first"), stored.stream().map(Event::data).toList());
        assertEquals(0, count("outbox"));
        assertEquals(1, count("orders"), "the business data committed; only the event was refused");
    }

    private void assertOutboxCommitAndRollback(Hub topics) throws Exception {
        Topic<String> orders = topics.topic("orders", String.class);
        tm.begin();
        saveOrder("o1");
        CompletionStage<String> stored = orders.publish("order o1").stored();
        assertEquals(1, count("outbox") /* visible in the transaction itself */);
        tm.commit();
        String id = awaitStored(stored);
        assertEquals(List.of(id), ids(topics, "orders"));
        assertEquals(0, count("outbox"));

        tm.begin();
        saveOrder("o2");
        CompletionStage<String> never = orders.publish("order o2").stored();
        tm.rollback();
        assertThrows(CancellationException.class, () -> awaitStored(never));
        assertEquals(1, count("orders"));
        assertEquals(0, count("outbox"));
        assertEquals(List.of(id), ids(topics, "orders"));

        // An exception after the broadcast rolls both back.
        assertThrows(IllegalStateException.class, () -> StandaloneJta.inTransaction(() -> {
            saveOrder("o3");
            orders.publish("order o3");
            throw new IllegalStateException("payment refused");
        }));
        assertEquals(1, count("orders"));
        assertEquals(List.of(id), ids(topics, "orders"));
    }

    /**
     * Transaction A publishes first and commits second, B publishes second and commits first: history
     * holds B's event before A's, with nothing in between.
     */
    private void assertCommitOrder(Hub topics, Topic<String> orders, boolean saveRows) throws Exception {
        CountDownLatch aPublished = new CountDownLatch(1);
        CountDownLatch bCommitted = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<String> a = threads.submit(() -> {
                tm.begin();
                if (saveRows) {
                    saveOrder("a");
                }
                CompletionStage<String> stored = orders.publish("A").stored();
                aPublished.countDown();
                assertTrue(bCommitted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                tm.commit();
                return awaitStored(stored);
            });
            Future<String> b = threads.submit(() -> {
                assertTrue(aPublished.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                tm.begin();
                if (saveRows) {
                    saveOrder("b");
                }
                CompletionStage<String> stored = orders.publish("B").stored();
                tm.commit();
                String id = awaitStored(stored);
                bCommitted.countDown();
                return id;
            });
            String bId = b.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            String aId = a.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(List.of(bId, aId), ids(topics, "orders"));
            List<String> data = new ArrayList<>();
            topics.history().read(Set.of("orders"), HistoryStore.EARLIEST, null).events().forEach(e -> data.add(e.data()));
            assertEquals(List.of("B", "A"), data);
        } finally {
            threads.shutdownNow();
        }
    }
}
