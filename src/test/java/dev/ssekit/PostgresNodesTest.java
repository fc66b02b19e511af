package dev.ssekit;

import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.StandaloneJta;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two registries, each on a JDBC store of its own over one PostgreSQL database (the same tables), as
 * two nodes behind a load balancer: each node's subscribers get every node's events live, the
 * outbox's included, once, in the same order, with the same ids.
 */
class PostgresNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String prefix = Services.tablePrefix("nodes_");
    private final PGSimpleDataSource plain = Services.postgres();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void requirePostgres() {
        Services.requirePostgres();
    }

    @AfterEach
    void closeAndDropTables() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        Services.dropStoreTables(prefix);
    }

    /** A node: a registry on a store of its own over the shared tables. */
    private Hub node(DataSource ds, boolean outbox) {
        JdbcHistoryStore store = JdbcHistoryStore.builder(ds).tablePrefix(prefix).joinsTransactions(outbox)
                .pruneInterval(null).build();
        closing.add(store);
        Hub topics = Hub.builder().history(store).transactions(StandaloneJta.registry()).build();
        closing.add(topics);
        return topics;
    }

    private static FakeSse.Sink subscribe(Hub node, String topic) {
        FakeSse.Sink sink = new FakeSse.Sink();
        node.subscribe(node.open(sink), List.of(topic), null);
        return sink;
    }

    @Test
    void publish_onNodeA_reachesASubscriberOnNodeBLive() {
        Hub a = node(plain, false);
        Hub b = node(plain, false);
        FakeSse.Sink onA = subscribe(a, "orders");
        FakeSse.Sink onB = subscribe(b, "orders");
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            published.add((i % 2 == 0 ? a : b).publish(List.of("orders"), Event.of("order " + i)).id());
        }
        await().atMost(WAIT).until(() -> onB.ids().size() >= published.size() && onA.ids().size() >= published.size());
        assertEquals(published, onA.ids(), "node A: both nodes' events, once, in id order");
        assertEquals(published, onB.ids(), "node B: the same events in the same order");
    }

    @Test
    void publish_inATransactionOnNodeA_theOutboxEventReachesSubscribersOfBothNodes() throws Exception {
        PGXADataSource xa = new PGXADataSource();
        xa.setUrl(Services.POSTGRES_URL);
        Hub a = node(StandaloneJta.enlisting(xa, plain, Services.POSTGRES_USER, ""), true);
        Hub b = node(plain, true);
        FakeSse.Sink onA = subscribe(a, "orders");
        FakeSse.Sink onB = subscribe(b, "orders");
        String before = b.publish(List.of("orders"), Event.of("before")).id();
        String inTransaction = StandaloneJta.inTransaction(() -> a.publish(List.of("orders"), Event.of("committed")).id());
        String after = b.publish(List.of("orders"), Event.of("after")).id();
        List<String> expected = List.of(before, inTransaction, after);
        await().atMost(WAIT).until(() -> onA.ids().size() >= 3 && onB.ids().size() >= 3);
        List<String> history = a.history().read(java.util.Set.of("orders"), dev.ssekit.history.HistoryStore.EARLIEST,
                null).events().stream().map(e -> e.id().orElseThrow()).toList();
        assertEquals(history, onA.ids(), "node A: history's order");
        assertEquals(history, onB.ids(), "node B: the outbox event too, in history's order");
        assertEquals(java.util.Set.copyOf(expected), java.util.Set.copyOf(history));
    }
}
