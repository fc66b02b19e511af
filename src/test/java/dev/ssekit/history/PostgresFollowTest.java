package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.testsupport.ConnectionSource;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The follow of the JDBC store on the PostgreSQL at 127.0.0.1:5432: appends that commit in any order,
 * a connection the server ends, and retention that overtakes a follower. Each test on tables of its
 * own; the polls are made rare (1 minute) so that what is delivered is woken by notifications.
 */
class PostgresFollowTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String prefix = Services.tablePrefix("follow_");
    private final PGSimpleDataSource database = Services.postgres();
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
        Services.dropStoreTables(database, prefix);
    }

    private JdbcHistoryStore store(DataSource ds, int maxEventsPerTopic) {
        JdbcHistoryStore store = JdbcHistoryStore.builder(ds).tablePrefix(prefix).maxEventsPerTopic(maxEventsPerTopic)
                .pruneInterval(null).pollInterval(Duration.ofMinutes(1))
                .statementTimeout(WAIT).networkTimeout(WAIT.multipliedBy(2)).build(); // a held lock is waited for
        closing.add(store);
        return store;
    }

    private JdbcHistoryStore store() {
        return store(database, 10_000);
    }

    private SharedHistoryStoreContract.Followed follow(SharedHistoryStore store) {
        SharedHistoryStoreContract.Followed followed = new SharedHistoryStoreContract.Followed();
        closing.add(store.follow(followed));
        return followed;
    }

    private static long seq(String position) {
        return Long.parseLong(position.substring("urn:ssekit:".length()));
    }

    /** Every position one more than the one before: no number skipped, none twice. */
    private static void assertConsecutive(List<String> positions) {
        for (int i = 1; i < positions.size(); i++) {
            assertEquals(seq(positions.get(i - 1)) + 1, seq(positions.get(i)),
                    "position " + i + " follows " + positions.get(i - 1) + " without a gap");
        }
    }

    @Test
    void follow_eightAppendersOnConnectionsOfTheirOwn_theFollowerGetsEveryEventOnceWithoutAGap() throws Exception {
        List<HistoryStore> appenders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setDataSource(database);
            config.setMaximumPoolSize(1); // each appender on a connection of its own, kept open
            com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
            closing.add(pool);
            appenders.add(store(pool, 10_000));
        }
        SharedHistoryStoreContract.Followed followed = follow(store());
        List<List<String>> perThread = HistoryStoreContract.appendConcurrently(appenders, 40);
        int total = perThread.stream().mapToInt(List::size).sum();
        String newest = appenders.get(0).latestId().orElseThrow();
        await().atMost(WAIT).until(() -> followed.ids().contains(newest));

        List<String> ids = followed.ids();
        // An event that committed after the follower had read past its number would be missing here.
        assertEquals(total, ids.size(), "every appended event, none skipped, none more");
        assertEquals(total, new HashSet<>(ids).size(), "no event twice");
        assertConsecutive(followed.positions());
        assertEquals(HistoryStoreContract.ids(HistoryStoreContract.read(appenders.get(0), HistoryStore.EARLIEST,
                "a", "b").events()), ids, "history's order");
        for (List<String> mine : perThread) {
            assertEquals(mine, ids.stream().filter(new HashSet<>(mine)::contains).toList(),
                    "an appender's events in the order it appended them");
        }
    }

    @Test
    void follow_anAppendHeldBeforeItsCommit_holdsBackTheAppendsAfterIt() throws Exception {
        HeldCommit held = new HeldCommit(database);
        JdbcHistoryStore slow = store(held, 10_000);
        JdbcHistoryStore quick = store();
        SharedHistoryStoreContract.Followed followed = follow(store());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            held.armed.set(true);
            Future<String> first = pool.submit(() -> HistoryStoreContract.append(slow, "first", "a"));
            assertTrue(held.reached.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the first append reached its commit");
            Future<String> second = pool.submit(() -> HistoryStoreContract.append(quick, "second", "a"));
            // The second append waits for the first one's sequence row: it cannot commit before it.
            await().atMost(WAIT).until(() -> waitingForALock(prefix + "meta"));
            assertEquals(List.of(), followed.ids(), "nothing is delivered while the first append is open");
            held.release.countDown();
            String firstId = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            String secondId = second.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> followed.ids().size() >= 2);
            assertEquals(List.of(firstId, secondId), followed.ids());
            assertConsecutive(followed.positions());
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
    }

    /** @return whether some session waits for a lock while updating {@code table} */
    private boolean waitingForALock(String table) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity WHERE "
                     + "wait_event_type = 'Lock' AND query LIKE ?")) {
            s.setString(1, "%UPDATE " + table + " %");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Test
    void follow_itsBackendTerminated_resumesAfterItsMarkLosingAndRepeatingNothing() throws Exception {
        JdbcHistoryStore store = store();
        SharedHistoryStoreContract.Followed followed = follow(store);
        List<String> appended = new ArrayList<>();
        appended.add(HistoryStoreContract.append(store, "before", "a"));
        await().atMost(WAIT).until(() -> followed.ids().size() >= 1);

        int listening = listeningBackend();
        terminate(listening);
        for (int i = 0; i < 20; i++) {
            appended.add(HistoryStoreContract.append(store, "after " + i, "a"));
        }
        await().atMost(WAIT).until(() -> followed.ids().size() >= appended.size());
        assertEquals(appended, followed.ids());
        assertConsecutive(followed.positions());
        // It listens again, on a new connection: another node's append wakes it without a poll.
        await().atMost(WAIT).until(() -> listeningBackendOrZero() != 0 && listeningBackendOrZero() != listening);
        JdbcHistoryStore other = store();
        appended.add(HistoryStoreContract.append(other, "from another node", "b"));
        await().atMost(WAIT).until(() -> followed.ids().size() >= appended.size());
        assertEquals(appended, followed.ids());
    }

    /** @return the backend of the session that LISTENs on this test's channel, 0 if none */
    private int listeningBackendOrZero() throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                     + "AND (query = ? OR query LIKE ?)")) {
            s.setString(1, "LISTEN \"" + prefix + "event\"");
            s.setString(2, "%FROM " + prefix + "event WHERE seq > $1 ORDER BY seq%");
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    private int listeningBackend() throws SQLException {
        int pid = listeningBackendOrZero();
        assertTrue(pid != 0, "the follow's session is in pg_stat_activity");
        return pid;
    }

    private void terminate(int pid) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertTrue(rs.getBoolean(1));
            }
        }
    }

    @Test
    void follow_retentionDroppedEventsTheFollowerHadNotRead_itIsToldItMissedThem() throws Exception {
        JdbcHistoryStore store = store(database, 10);
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch missed = new CountDownLatch(1);
        List<String> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean missedBeforeLast = new AtomicBoolean();
        closing.add(store.follow(new SharedHistoryStore.AppendListener() {
            @Override
            public void appended(Set<String> topics, Event event, String position) {
                delivered.add(event.data());
                if (delivered.size() == 1) {
                    inFirst.countDown();
                    try {
                        release.await(); // a follower far slower than the publishers
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void missedEvents() {
                missedBeforeLast.set(!delivered.contains("49"));
                missed.countDown();
            }
        }));
        closing.add(release::countDown); // closed first: a failed test does not leave the follow blocked
        HistoryStoreContract.append(store, "0", "a");
        assertTrue(inFirst.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        for (int i = 1; i < 50; i++) {
            HistoryStoreContract.append(store, String.valueOf(i), "a");
        }
        assertTrue(store.prune() > 0, "retention dropped events the follower had not read");
        release.countDown();
        assertTrue(missed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "dropped events are reported, not skipped");
        assertTrue(missedBeforeLast.get(), "reported before the events after the gap");
        await().atMost(WAIT).until(() -> delivered.contains("49"));
        List<String> expected = new ArrayList<>(List.of("0"));
        for (int i = 40; i < 50; i++) {
            expected.add(String.valueOf(i));
        }
        assertEquals(expected, delivered, "what retention kept, once, in order");
    }

    /** Holds the commit of the first append after {@link #armed} is set until {@link #release}. */
    private static final class HeldCommit extends ConnectionSource {
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final DataSource delegate;

        HeldCommit(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            AtomicBoolean appending = new AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("prepareStatement") && String.valueOf(args[0]).contains("last_seq")) {
                            appending.set(true);
                        }
                        if (method.getName().equals("commit") && appending.get() && armed.compareAndSet(true, false)) {
                            reached.countDown();
                            release.await();
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
