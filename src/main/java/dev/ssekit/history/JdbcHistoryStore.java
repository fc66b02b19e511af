package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.SseKitException;
import dev.ssekit.internal.Checks;
import dev.ssekit.spi.TopicMatcher;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A {@link HistoryStore} in a SQL database behind any {@link DataSource}: history survives restarts
 * and is shared by every node that uses the same database, each of which delivers every node's
 * events (see "Several nodes"). Tested on PostgreSQL and H2.
 *
 * <h2>Schema</h2>
 * Created if absent ({@code ssekit_} is the default table prefix):
 * <pre>{@code
 * CREATE TABLE ssekit_meta (name VARCHAR(64) PRIMARY KEY, val BIGINT NOT NULL);
 * CREATE TABLE ssekit_event (seq BIGINT PRIMARY KEY, id VARCHAR(1024) NOT NULL UNIQUE,
 *     type VARCHAR(1024), retry_ms BIGINT, data TEXT NOT NULL, created_ms BIGINT NOT NULL);
 * CREATE TABLE ssekit_event_topic (topic VARCHAR(1024) NOT NULL, seq BIGINT NOT NULL,
 *     PRIMARY KEY (topic, seq));
 * CREATE INDEX ssekit_event_topic_seq ON ssekit_event_topic (seq);
 * CREATE INDEX ssekit_event_created ON ssekit_event (created_ms);
 * CREATE TABLE ssekit_topic (topic VARCHAR(1024) PRIMARY KEY, dropped_up_to BIGINT NOT NULL);
 * INSERT INTO ssekit_meta VALUES ('last_seq', 0);
 * INSERT INTO ssekit_meta VALUES ('removed_topics_dropped_up_to', 0);
 * INSERT INTO ssekit_meta VALUES ('swept_up_to', 0);
 * }</pre>
 * The replay query reads {@code ssekit_event_topic} by its primary key (topic, then sequence).
 *
 * <h2>Order</h2>
 * Every append takes the next sequence number by updating the {@code last_seq} row, in the same
 * transaction as its inserts. That row lock makes appenders, on one node or many, commit in sequence
 * order, so a reader never sees a later event before an earlier one; and a rolled-back append gives
 * its numbers back with the row, so the numbers are dense.
 *
 * <h2>Several nodes</h2>
 * It is a {@link SharedHistoryStore}: every node on the same tables delivers every node's events,
 * in sequence order, through {@link #follow}. The follow is one thread and one connection per store
 * that reads the events after the newest sequence number it delivered, at most
 * {@value JdbcFeed#PAGE} events per statement; thanks to the commit order above, what it has not read
 * yet can only come after what it has. It reads when woken:
 * <ul>
 *   <li>on PostgreSQL by a notification: each append queues {@code pg_notify('<prefix>event', '')} in
 *   its transaction (in the statement that takes the sequence numbers: no extra round trip), and the
 *   follow's connection {@code LISTEN}s on that channel, through the driver's
 *   {@code PGConnection}, reached by {@link Connection#unwrap}. PostgreSQL delivers a notification
 *   only once its transaction committed;</li>
 *   <li>by an append of this store, in this process;</li>
 *   <li>every {@link Builder#pollInterval} (default 1 s) when nothing else did: on other databases
 *   the way other nodes' events arrive, on PostgreSQL a safety net.</li>
 * </ul>
 * A follow that loses its connection opens another after a second and resumes after the newest
 * event it delivered; if retention dropped events it had not delivered yet, its followers are told
 * ({@link AppendListener#missedEvents()}). Positions are {@code urn:ssekit:<sequence>}.
 *
 * <h2>Ids</h2>
 * Ids it assigns are {@code urn:ssekit:<sequence>}; publisher ids in that form are refused, so the two
 * never collide. Ids are unique in the store.
 *
 * <h2>Retention</h2>
 * A background task (every {@link Builder#pruneInterval}, default 30 s) drops events older than
 * {@link Builder#maxAge} (default 24 hours) and beyond {@link Builder#maxEventsPerTopic} per topic
 * (default 10,000), recording per topic up to where it dropped so that a read after an older id is
 * reported as not found. Reads never return expired events, even before the task removes them.
 * Age is by the database's clock ({@code CURRENT_TIMESTAMP}), which dates each event and sets every
 * cutoff: a node whose clock is a day ahead or behind neither deletes history early nor serves
 * expired events; the builder's {@link Builder#clock clock} is not used.
 * A topic whose events all expired loses its rows too (per-resource topics such as {@code orders/42}
 * would otherwise grow the {@code topic} table without bound); the highest sequence such topics
 * dropped is kept in one {@code meta} row, so a read after an older id on a topic without a row is
 * still reported as not found.
 * Pruning takes no lock that appends wait for, and its work is proportional to what changed since
 * the last sweep; on PostgreSQL one node sweeps at a time (see {@link #prune()}, which runs it at once).
 *
 * <h2>Transactional outbox</h2>
 * With {@link Builder#joinsTransactions(boolean) joinsTransactions(true)} (a server's JTA
 * {@code DataSource}, such as {@code java:comp/DefaultDataSource}), an event published inside a JTA
 * transaction is written, at the call and on the caller's own connection, to one more table, and
 * nothing is committed there: the transaction decides.
 * <pre>{@code
 * CREATE TABLE ssekit_outbox (pos BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
 *     id VARCHAR(1024) NOT NULL, topics TEXT NOT NULL, type VARCHAR(1024), retry_ms BIGINT,
 *     data TEXT NOT NULL);
 * }</pre>
 * After the commit, {@link #relay()} takes the {@code last_seq} row lock (so relays and appends of
 * every node take turns), reads the oldest committed outbox rows by {@code pos} (at most
 * {@value #RELAY_BATCH}), gives them the next sequence numbers, inserts them into history and
 * deletes exactly those rows, in one transaction; a larger backlog takes several calls.
 * A transaction that commits later is relayed later: sequence order is the order in which the
 * relays saw the commits. Rows a crash left behind are relayed by the next relay on any node.
 */
public final class JdbcHistoryStore implements TransactionalHistoryStore, SharedHistoryStore {
    private static final Logger LOG = Logger.getLogger(JdbcHistoryStore.class.getName());
    /** The statement timeout of a store built without {@link Builder#statementTimeout}. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(5);
    /** The network timeout of a store built without {@link Builder#networkTimeout}. */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(10);
    /** The poll interval of a store built without {@link Builder#pollInterval} (documented there). */
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    private static final String ID_PREFIX = "urn:ssekit:";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,30}");
    private static final int MAX_KEY_BYTES = 2048;
    /** Rows of the event-topic join a page's read takes per statement (an event has a row per topic). */
    private static final int MATCHING_WINDOW_ROWS = 1000;
    private static final String LAST_SEQ = "last_seq";
    /**
     * {@code CURRENT_TIMESTAMP} in milliseconds since the epoch, as SQL (PostgreSQL and H2 alike),
     * truncated as {@code Timestamp.getTime()} truncates: a read's expiry cutoff is
     * {@code DATABASE_MILLIS - maxAge}, computed in the read's own statements. Within a transaction
     * it does not move, so a read's gap check and select cut at the same instant.
     */
    private static final String DATABASE_MILLIS = "CAST(FLOOR(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000) AS BIGINT)";
    /** The meta row with the highest sequence dropped from topics whose rows were all removed. */
    private static final String REMOVED_TOPICS = "removed_topics_dropped_up_to";

    private static final int CHECK_TIMEOUT_SECONDS = 5;
    /** The retention sweep's statements read whole tables: they get this bound, in seconds. */
    private static final int SWEEP_STATEMENT_TIMEOUT_SECONDS = 60;

    private final DataSource dataSource;
    private final String p;
    private final int maxEventsPerTopic;
    private final Duration maxAge;
    /** Tests only: how far the database's clock is taken to be ahead (see {@link RetentionSettings}). */
    private final java.util.function.Supplier<Duration> serverClockAhead;
    private final ScheduledExecutorService pruner;
    private final boolean closesDataSource;
    private final boolean joinsTransactions;
    private final Duration statementTimeout;
    private final Duration networkTimeout;
    private final Duration pollInterval;
    /** Whether the database is PostgreSQL: appends NOTIFY the follow's channel. */
    private final boolean postgres;
    private final Object feedLock = new Object();
    /** The follow, while it has followers (see {@link #follow}); written under {@link #feedLock}. */
    private volatile JdbcFeed feed;
    private volatile boolean networkTimeoutSupported = true;
    private volatile boolean networkTimeoutRefusalLogged;
    private volatile boolean closed;

    private JdbcHistoryStore(Builder b) {
        this.dataSource = b.dataSource;
        this.p = b.tablePrefix;
        this.maxEventsPerTopic = b.maxEventsPerTopic;
        this.maxAge = b.maxAge;
        this.serverClockAhead = b.serverClockAhead;
        this.closesDataSource = b.closesDataSource;
        this.joinsTransactions = b.joinsTransactions;
        this.statementTimeout = b.statementTimeout;
        this.networkTimeout = b.networkTimeout;
        this.pollInterval = b.pollInterval;
        this.postgres = createSchema();
        if (b.pruneInterval == null) {
            this.pruner = null;
        } else {
            this.pruner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ssekit-jdbc-history-prune");
                t.setDaemon(true);
                return t;
            });
            long every = b.pruneInterval.toMillis();
            pruner.scheduleWithFixedDelay(this::pruneQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @param dataSource where the tables live
     * @return a builder; {@link Builder#build()} creates the schema if absent
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Checks.notNull(dataSource, "dataSource"));
    }

    /**
     * Creates the schema. Nodes starting at once race on it: PostgreSQL's IF NOT EXISTS is not atomic,
     * so the losers of each statement retry; every round settles at least one table, and IF NOT EXISTS
     * skips what is there.
     *
     * @return whether the database is PostgreSQL
     */
    private boolean createSchema() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return tryCreateSchema();
            } catch (SseKitException e) {
                String state = e.getCause() instanceof SQLException sql ? sql.getSQLState() : null;
                // Unique violation, duplicate table, duplicate object (PostgreSQL's catalog races).
                boolean clash = "23505".equals(state) || "42P07".equals(state) || "42710".equals(state);
                if (!clash || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(5, 50)); // jittered back-off
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private boolean tryCreateSchema() {
        String[] ddl = {
            "CREATE TABLE IF NOT EXISTS " + p + "meta (name VARCHAR(64) PRIMARY KEY, val BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + p + "event (seq BIGINT PRIMARY KEY, id VARCHAR(1024) NOT NULL UNIQUE, "
                    + "type VARCHAR(1024), retry_ms BIGINT, data TEXT NOT NULL, created_ms BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + p + "event_topic (topic VARCHAR(1024) NOT NULL, seq BIGINT NOT NULL, "
                    + "PRIMARY KEY (topic, seq))",
            "CREATE INDEX IF NOT EXISTS " + p + "event_topic_seq ON " + p + "event_topic (seq)",
            "CREATE INDEX IF NOT EXISTS " + p + "event_created ON " + p + "event (created_ms)",
            "CREATE TABLE IF NOT EXISTS " + p + "topic (topic VARCHAR(1024) PRIMARY KEY, dropped_up_to BIGINT NOT NULL)",
            // MAX(dropped_up_to), the gap check of every read by matcher, as one index probe, not a scan
            // of every topic's row.
            "CREATE INDEX IF NOT EXISTS " + p + "topic_dropped ON " + p + "topic (dropped_up_to)",
            joinsTransactions ? "CREATE TABLE IF NOT EXISTS " + p + "outbox (pos BIGINT GENERATED BY DEFAULT AS IDENTITY "
                    + "PRIMARY KEY, id VARCHAR(1024) NOT NULL, topics TEXT NOT NULL, type VARCHAR(1024), retry_ms BIGINT, "
                    + "data TEXT NOT NULL)" : null,
        };
        try (Borrowed b = borrow()) {
            Connection c = b.connection();
            b.autoCommit(true);
            try (Statement s = statement(c)) {
                for (String sql : ddl) {
                    if (sql != null) {
                        s.execute(sql);
                    }
                }
            }
            for (String row : new String[]{LAST_SEQ, REMOVED_TOPICS, SWEPT}) {
                try (PreparedStatement s = prepare(c, "SELECT val FROM " + p + "meta WHERE name = ?")) {
                    s.setString(1, row);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            continue;
                        }
                    }
                }
                try (PreparedStatement insert = prepare(c, "INSERT INTO " + p + "meta (name, val) VALUES (?, 0)")) {
                    insert.setString(1, row);
                    insert.executeUpdate();
                } catch (SQLException raced) {
                    // another node created it at the same moment: fine
                    LOG.log(Level.FINE, "ssekit: " + row + " row created concurrently", raced);
                }
            }
            requireCommitsWritten(c);
            return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new HistoryStoreException("history database unreachable or refused the schema (" + describe(e) + ")", e);
        }
    }

    /**
     * H2 writes a commit to its file up to {@code WRITE_DELAY} (500 ms by default) after it returns: a
     * crash then loses acknowledged events, and the sequence row with them, so their ids are given
     * again. {@code WRITE_DELAY 0} writes each commit before it returns (a database setting, kept in
     * the file). Other databases write commits durably by default.
     */
    private void requireCommitsWritten(Connection c) throws SQLException {
        java.sql.DatabaseMetaData meta = c.getMetaData();
        if (!"H2".equals(meta.getDatabaseProductName()) || String.valueOf(meta.getURL()).startsWith("jdbc:h2:mem:")) {
            return;
        }
        try (PreparedStatement s = prepare(c, "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                + "WHERE SETTING_NAME = 'WRITE_DELAY'");
             ResultSet rs = s.executeQuery()) {
            if (rs.next() && "0".equals(rs.getString(1))) {
                return;
            }
        }
        try (Statement s = statement(c)) {
            s.execute("SET WRITE_DELAY 0");
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "ssekit: H2 refused SET WRITE_DELAY 0 (" + describe(e) + "): a crash can lose "
                    + "events acknowledged in the last half second; add ;WRITE_DELAY=0 to the URL as an admin user", e);
        }
    }

    private Borrowed borrow() throws SQLException {
        return borrow(false);
    }

    /**
     * Borrows a connection with this store's network timeout set (where the driver allows), so that
     * a database that goes silent, a half-open connection included, fails the call instead of
     * holding it forever.
     *
     * @param sweep whether it is for the retention sweep, whose statements get
     *              {@value #SWEEP_STATEMENT_TIMEOUT_SECONDS} s
     */
    private Borrowed borrow(boolean sweep) throws SQLException {
        if (closed) {
            throw HistoryStoreException.closed("history store");
        }
        Borrowed b = new Borrowed(dataSource.getConnection());
        try {
            long extra = sweep ? TimeUnit.SECONDS.toMillis(SWEEP_STATEMENT_TIMEOUT_SECONDS) - statementTimeout.toMillis() : 0;
            b.networkTimeout(networkTimeout.toMillis() + Math.max(0, extra));
            return b;
        } catch (SQLException | RuntimeException e) {
            b.connection().close();
            throw e;
        }
    }

    /**
     * A borrowed connection that gives back what this store changed on it before it goes back to
     * the pool: auto-commit, isolation level and network timeout. Servers' pools need not reset them,
     * and the next borrower (another application's code, on a shared pool) would inherit them. The
     * follow holds its connection as one too.
     */
    private final class Borrowed implements JdbcFeed.Lease {
        private final Connection c;
        private Boolean autoCommit; // what it was, when changed
        private Integer isolation;
        private Integer networkTimeoutMs;

        Borrowed(Connection c) {
            this.c = c;
        }

        @Override
        public Connection connection() {
            return c;
        }

        void autoCommit(boolean value) throws SQLException {
            boolean was = c.getAutoCommit();
            if (was != value) {
                if (autoCommit == null) {
                    autoCommit = was;
                }
                c.setAutoCommit(value);
            }
        }

        void isolation(int level) throws SQLException {
            int was = c.getTransactionIsolation();
            if (was != level) {
                if (isolation == null) {
                    isolation = was;
                }
                c.setTransactionIsolation(level);
            }
        }

        /**
         * Bounds the driver's waits on the network for this connection. A driver that has no network
         * timeout says so as JDBC specifies ({@code SQLFeatureNotSupportedException}): the bound is
         * then not in force, which is logged as a warning once, naming the driver. A connection that
         * refuses it otherwise (the XA connections of a caller's JTA transaction, on H2 and
         * PostgreSQL) is bounded by the statement timeout and the transaction's own timeout.
         */
        void networkTimeout(long millis) throws SQLException {
            if (!networkTimeoutSupported) {
                return;
            }
            try {
                int was = c.getNetworkTimeout();
                c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, millis));
                networkTimeoutMs = was;
            } catch (java.sql.SQLFeatureNotSupportedException e) {
                networkTimeoutSupported = false;
                LOG.warning("ssekit: the history database's driver (" + c.getMetaData().getDriverName() + ") has no "
                        + "network timeout: ssekit.history.jdbc.network.timeout is not in force; a database that goes "
                        + "silent is bounded by the statement timeout and the pool's timeouts only (" + e + ")");
            } catch (SQLException e) {
                // The XA connections of a caller's JTA transaction refuse it (H2, PostgreSQL): their
                // transaction's timeout bounds them. Anything else is a lost bound: said once.
                if (!networkTimeoutRefusalLogged) {
                    networkTimeoutRefusalLogged = true;
                    LOG.log(Level.WARNING, "ssekit: a history connection (" + c.getClass().getName() + ") refused a "
                            + "network timeout: ssekit.history.jdbc.network.timeout is not in force on such "
                            + "connections; inside a JTA transaction its timeout bounds them; logged once", e);
                } else {
                    LOG.log(Level.FINE, "ssekit: a history connection refused a network timeout", e);
                }
            }
        }

        /** Gives back what was changed, then closes; a connection the driver closed is only closed. */
        @Override
        public void close() throws SQLException {
            try {
                if (!c.isClosed()) {
                    if (isolation != null) {
                        c.setTransactionIsolation(isolation);
                    }
                    if (autoCommit != null) {
                        c.setAutoCommit(autoCommit);
                    }
                    if (networkTimeoutMs != null) {
                        c.setNetworkTimeout(Runnable::run, networkTimeoutMs);
                    }
                }
            } finally {
                c.close();
            }
        }
    }

    /**
     * Rolls back after {@code failure}; a rollback that fails too (the driver closed a connection
     * that timed out) is added to it rather than hiding it.
     */
    private static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /** A statement of a store call, bounded by the statement timeout (lock waits included). */
    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setQueryTimeout(statementTimeoutSeconds());
        return s;
    }

    /** A statement of the retention sweep, which reads whole tables: a longer bound. */
    private static PreparedStatement prepareSweep(Connection c, String sql) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setQueryTimeout(SWEEP_STATEMENT_TIMEOUT_SECONDS);
        return s;
    }

    private Statement statement(Connection c) throws SQLException {
        Statement s = c.createStatement();
        s.setQueryTimeout(statementTimeoutSeconds());
        return s;
    }

    /** JDBC counts query timeouts in whole seconds: rounded up, never 0 (which means none). */
    private int statementTimeoutSeconds() {
        return (int) Math.max(1, (statementTimeout.toMillis() + 999) / 1000);
    }

    /**
     * The exception of a failed call: a timeout says which bound it hit, so that whoever reads the
     * answer (a 503's body) knows the database did not answer rather than refused.
     */
    private HistoryStoreException failure(String what, SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                return new HistoryStoreException("history database did not answer the " + what + " within the "
                        + "network timeout (" + Checks.describe(networkTimeout) + "; " + describe(e) + ")", e);
            }
        }
        String state = e.getSQLState();
        if (e instanceof java.sql.SQLTimeoutException || "57014".equals(state) || "55P03".equals(state)
                || "HYT00".equals(state)) {
            return new HistoryStoreException("history database did not answer the " + what + " within the "
                    + "statement timeout (" + statementTimeoutSeconds() + " s; " + describe(e) + ")", e);
        }
        return new HistoryStoreException("history database refused the " + what + " (" + describe(e) + ")", e);
    }

    @Override
    public List<Event> append(List<Entry> batch) {
        Set<String> given = checkEntries(batch);
        boolean[] committing = {false}; // once the commit is sent, a failure leaves its outcome unknown
        try (Borrowed b = borrow()) {
            Connection c = b.connection();
            b.autoCommit(false);
            try {
                String taken = firstExisting(c, given);
                if (taken != null) {
                    throw new DuplicateIdException(taken);
                }
                List<Event> stored = insertEvents(c, batch);
                committing[0] = true;
                c.commit();
                wakeFeed();
                return stored;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            if (!given.isEmpty() && e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                // Another node stored one of the ids between our check and our insert.
                try (Borrowed b = borrow()) {
                    Connection c = b.connection();
                    String taken = firstExisting(c, given);
                    if (taken != null) {
                        throw new DuplicateIdException(taken);
                    }
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
            }
            HistoryStoreException f = failure("append", e);
            throw committing[0] ? f : HistoryStoreException.notStored(f.getMessage(), e);
        }
    }

    /** Rows per multi-row INSERT: far below PostgreSQL's 32,767 bind parameters per statement. */
    private static final int ROWS_PER_INSERT = 500;
    private static final int[] EVENT_COLUMNS = {Types.BIGINT, Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.VARCHAR,
        Types.BIGINT};
    private static final int[] TOPIC_COLUMNS = {Types.VARCHAR, Types.BIGINT};

    /**
     * Inserts rows with multi-row {@code INSERT ... VALUES (...), (...)} statements: one statement,
     * one round trip and one execution per 500 rows, where a JDBC batch costs the database one
     * execution per row (and a round trip per row on drivers that do not pipeline batches).
     */
    private void insertRows(Connection c, String tableAndColumns, int[] types, List<Object[]> rows)
            throws SQLException {
        int columns = types.length;
        String tuple = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            try (PreparedStatement s = prepare(c, "INSERT INTO " + tableAndColumns + " VALUES "
                    + String.join(", ", Collections.nCopies(chunk.size(), tuple)))) {
                int i = 1;
                for (Object[] row : chunk) {
                    for (int col = 0; col < columns; col++) {
                        if (row[col] == null) {
                            s.setNull(i++, types[col]);
                        } else if (types[col] == Types.BIGINT) {
                            s.setLong(i++, (Long) row[col]);
                        } else {
                            s.setString(i++, (String) row[col]);
                        }
                    }
                }
                s.executeUpdate();
            }
        }
    }

    /** Ids and topics are index keys: PostgreSQL's btree takes at most 2,704 bytes per entry. */
    private static void checkKeyLength(String value, String field) {
        int bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (value.length() > 1024 || bytes > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(field + " must be at most 1024 characters and " + MAX_KEY_BYTES
                    + " bytes in UTF-8, got " + value.length() + " characters, " + bytes + " bytes");
        }
    }

    /**
     * The database's clock ({@code CURRENT_TIMESTAMP}), in milliseconds: what dates, expires and
     * prunes events, the same on every node whatever its own clock says. On PostgreSQL and H2 it is
     * the start of the current transaction. The sweep reads it with this call; an append reads it in
     * the statement that takes its sequence numbers, and a read compares with it in its own
     * statements ({@link #DATABASE_MILLIS}): neither makes a round trip for it.
     */
    private long databaseMillis(Connection c) throws SQLException {
        try (PreparedStatement s = prepare(c, "SELECT CURRENT_TIMESTAMP FROM " + p + "meta WHERE name = 'last_seq'");
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("the " + p + "meta table has no last_seq row");
            }
            return rs.getTimestamp(1).getTime() + serverClockAhead.get().toMillis();
        }
    }

    /** The first of the sequence numbers an append took, and the database's clock that dates them. */
    private record Taken(long first, long createdMs) {
    }

    /**
     * Takes {@code count} consecutive sequence numbers, and reads the database's clock in the same
     * statement (the date of the events: see {@link #databaseMillis}); the row lock it holds until
     * commit orders all appenders, on one node or many. On PostgreSQL it is one statement, which also
     * queues the {@code NOTIFY} that wakes every node's follow once the transaction commits (and
     * only then).
     */
    private Taken takeSeqs(Connection c, int count) throws SQLException {
        if (postgres) {
            try (PreparedStatement s = prepare(c, "WITH s AS (UPDATE " + p + "meta SET val = val + ? WHERE name = "
                    + "'last_seq' RETURNING val) SELECT s.val, CURRENT_TIMESTAMP, pg_notify(?, '') FROM s")) {
                s.setLong(1, count);
                s.setString(2, channel());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("the " + p + "meta table has no last_seq row");
                    }
                    return taken(rs, count);
                }
            }
        }
        try (PreparedStatement s = prepare(c, "UPDATE " + p + "meta SET val = val + ? WHERE name = 'last_seq'")) {
            s.setLong(1, count);
            if (s.executeUpdate() != 1) {
                throw new SQLException("the " + p + "meta table has no last_seq row");
            }
        }
        try (PreparedStatement s = prepare(c, "SELECT val, CURRENT_TIMESTAMP FROM " + p + "meta WHERE name = 'last_seq'");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return taken(rs, count);
        }
    }

    /**
     * @return how old a read's events may be, in milliseconds, taken from {@link #DATABASE_MILLIS}
     *         (less what tests set the database's clock ahead by)
     */
    private long readMaxAgeMillis() {
        return maxAge.toMillis() - serverClockAhead.get().toMillis();
    }

    /** @return what {@link #takeSeqs} read: the new last sequence number, then CURRENT_TIMESTAMP */
    private Taken taken(ResultSet rs, int count) throws SQLException {
        return new Taken(rs.getLong(1) - count + 1, rs.getTimestamp(2).getTime() + serverClockAhead.get().toMillis());
    }

    /**
     * Inserts a batch into history under the next sequence numbers (the sequence row stays locked
     * until the caller's transaction ends), giving an event without an id {@code urn:ssekit:<seq>}.
     *
     * @return the events as stored, in order
     */
    private List<Event> insertEvents(Connection c, List<Entry> batch) throws SQLException {
        Taken taken = takeSeqs(c, batch.size());
        long first = taken.first();
        long now = taken.createdMs();
        List<Event> stored = new ArrayList<>(batch.size());
        List<Object[]> eventRows = new ArrayList<>(batch.size());
        List<Object[]> topicRows = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            long seq = first + i;
            Event event = batch.get(i).event();
            Event kept = event.id().isPresent() ? event : event.withId(ID_PREFIX + seq);
            stored.add(kept);
            eventRows.add(new Object[]{seq, kept.id().orElseThrow(), kept.type().orElse(null),
                    kept.retry().map(Duration::toMillis).orElse(null), kept.data(), now});
            for (String topic : new TreeSet<>(batch.get(i).topics())) {
                topicRows.add(new Object[]{topic, seq});
            }
        }
        insertRows(c, p + "event (seq, id, type, retry_ms, data, created_ms)", EVENT_COLUMNS, eventRows);
        insertRows(c, p + "event_topic (topic, seq)", TOPIC_COLUMNS, topicRows);
        return stored;
    }

    /** @return one of {@code ids} already stored, or null */
    /**
     * The checks of a batch this store makes before it changes anything (see
     * {@link StoreArguments#checkBatch}): no id in the store's own form, ids and topics that fit.
     *
     * @return the ids the batch's events were given by their publishers
     */
    private Set<String> checkEntries(List<Entry> batch) {
        Set<String> given = StoreArguments.checkBatch(batch);
        for (String id : given) {
            if (id.startsWith(ID_PREFIX)) {
                throw new IllegalArgumentException("id " + Checks.quote(id) + " is reserved: ids starting with "
                        + ID_PREFIX + " are assigned by the store");
            }
            checkKeyLength(id, "id");
        }
        for (Entry entry : batch) {
            for (String topic : entry.topics()) {
                checkKeyLength(topic, "topic");
            }
        }
        return given;
    }

    private String firstExisting(Connection c, Set<String> ids) throws SQLException {
        return storedIds(c, ids).stream().findFirst().orElse(null);
    }

    /** @return those of {@code ids} already in history */
    private Set<String> storedIds(Connection c, java.util.Collection<String> ids) throws SQLException {
        Set<String> stored = new java.util.HashSet<>();
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += ROWS_PER_INSERT) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + ROWS_PER_INSERT));
            try (PreparedStatement s = prepare(c, "SELECT id FROM " + p + "event WHERE id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    s.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        stored.add(rs.getString(1));
                    }
                }
            }
        }
        return stored;
    }

    @Override
    public boolean joinsTransactions() {
        return joinsTransactions;
    }

    /** Rows a relay moves per store transaction: bounds the statement sizes and the lock's hold. */
    private static final int RELAY_BATCH = 1000;
    private static final int[] OUTBOX_COLUMNS = {Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.VARCHAR};

    /**
     * Writes to the outbox on the caller's connection: no commit, no rollback, no auto-commit change,
     * since the connection belongs to the caller's transaction.
     */
    @Override
    public void appendInTransaction(List<Entry> batch) {
        requireOutbox();
        Set<String> ids = checkEntries(batch);
        List<Object[]> rows = new ArrayList<>(batch.size());
        for (Entry entry : batch) {
            Event event = entry.event();
            String id = event.id().orElseThrow(() -> new IllegalArgumentException(
                    "an event written in a transaction must carry its id"));
            for (String topic : entry.topics()) {
                if (topic.indexOf('\n') >= 0) {
                    throw new IllegalArgumentException("topic must not contain a line feed, got " + Checks.quote(topic));
                }
            }
            rows.add(new Object[]{id, String.join("\n", entry.topics()), event.type().orElse(null),
                event.retry().map(Duration::toMillis).orElse(null), event.data()});
        }
        try (Borrowed b = borrow()) {
            Connection c = b.connection();
            String taken = firstExisting(c, ids);
            if (taken != null) {
                throw new DuplicateIdException(taken);
            }
            insertRows(c, p + "outbox (id, topics, type, retry_ms, data)", OUTBOX_COLUMNS, rows);
        } catch (SQLException e) {
            throw failure("outbox write", e);
        }
    }

    /**
     * Moves the oldest committed outbox rows into history, at most {@value #RELAY_BATCH}, in one
     * store transaction; {@link Relayed#more()} when it moved a full batch.
     */
    @Override
    public Relayed relay() {
        if (!joinsTransactions) {
            return Relayed.NONE;
        }
        List<Entry> moved = new ArrayList<>();
        Set<String> dropped = new java.util.LinkedHashSet<>();
        boolean more = relayBatch(moved, dropped);
        return new Relayed(moved, dropped, more);
    }

    /** @return true if the outbox may hold more committed rows */
    private boolean relayBatch(List<Entry> moved, Set<String> dropped) {
        try (Borrowed b = borrow()) {
            Connection c = b.connection();
            b.autoCommit(false);
            try {
                // Most relays (the periodic ones) find nothing: they cost one read and take no lock.
                try (PreparedStatement s = prepare(c, "SELECT 1 FROM " + p + "outbox FETCH FIRST 1 ROWS ONLY");
                     ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        c.rollback();
                        return false;
                    }
                }
                // The sequence row lock first: relays and appends of every node take turns, and the
                // rows read below are then exactly the committed ones no other relay moved.
                try (PreparedStatement s = prepare(c, "UPDATE " + p + "meta SET val = val WHERE name = 'last_seq'")) {
                    s.executeUpdate();
                }
                List<Long> positions = new ArrayList<>();
                List<Entry> rows = new ArrayList<>();
                try (PreparedStatement s = prepare(c, "SELECT pos, id, topics, type, retry_ms, data FROM " + p
                        + "outbox ORDER BY pos FETCH FIRST " + RELAY_BATCH + " ROWS ONLY");
                     ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        positions.add(rs.getLong(1));
                        Event e = eventAt(rs, 2, 4, 5, 6);
                        rows.add(new Entry(new java.util.LinkedHashSet<>(List.of(rs.getString(3).split("\n", -1))), e));
                    }
                }
                if (rows.isEmpty()) {
                    c.rollback();
                    return false;
                }
                Set<String> droppedHere = new java.util.LinkedHashSet<>();
                List<Entry> kept = withoutStoredIds(c, rows, droppedHere);
                if (!kept.isEmpty()) {
                    insertEvents(c, kept);
                }
                for (int from = 0; from < positions.size(); from += ROWS_PER_INSERT) {
                    List<Long> chunk = positions.subList(from, Math.min(positions.size(), from + ROWS_PER_INSERT));
                    try (PreparedStatement s = prepare(c, "DELETE FROM " + p + "outbox WHERE pos IN ("
                            + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")")) {
                        for (int i = 0; i < chunk.size(); i++) {
                            s.setLong(i + 1, chunk.get(i));
                        }
                        s.executeUpdate();
                    }
                }
                c.commit();
                wakeFeed();
                moved.addAll(kept);
                dropped.addAll(droppedHere);
                return rows.size() == RELAY_BATCH;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("outbox relay", e);
        }
    }

    /**
     * The rows whose ids are neither in history nor taken by an earlier row: a publisher id stored
     * by another publisher between the outbox write and the relay must not block the outbox.
     */
    private List<Entry> withoutStoredIds(Connection c, List<Entry> rows, Set<String> dropped) throws SQLException {
        Set<String> ids = new java.util.LinkedHashSet<>();
        rows.forEach(r -> ids.add(r.event().id().orElseThrow()));
        Set<String> taken = storedIds(c, ids);
        List<Entry> kept = new ArrayList<>(rows.size());
        for (Entry row : rows) {
            String id = row.event().id().orElseThrow();
            if (taken.add(id)) {
                kept.add(row);
            } else {
                dropped.add(id);
                LOG.warning("ssekit: an event committed with id " + Checks.quote(id)
                        + " is dropped from the outbox: that id is already in history");
            }
        }
        return kept;
    }

    private void requireOutbox() {
        if (!joinsTransactions) {
            throw new IllegalStateException("this JdbcHistoryStore was built without joinsTransactions(true): "
                    + "it has no outbox");
        }
    }

    /**
     * Starts delivering every event committed from now on, by any node, in sequence order (see
     * {@link JdbcFeed}). The store has one follow, with one connection, whatever the number of
     * followers; it starts with the first follower and stops with the last.
     *
     * @throws HistoryStoreException if the database cannot be read, or the store is closed
     */
    @Override
    public Follower follow(AppendListener listener) {
        Checks.notNull(listener, "listener");
        synchronized (feedLock) {
            if (closed) {
                throw HistoryStoreException.closed("history store");
            }
            if (feed == null) {
                feed = new JdbcFeed(new FeedSource(), pollInterval, p);
            }
            JdbcFeed running = feed;
            JdbcFeed.Follow[] added = new JdbcFeed.Follow[1];
            added[0] = running.add(listener, () -> unfollow(running, added[0]));
            return added[0];
        }
    }

    /** Removes a follower; the last one stops the follow. */
    private void unfollow(JdbcFeed from, JdbcFeed.Follow f) {
        JdbcFeed stopping = null;
        synchronized (feedLock) {
            if (from.remove(f) && feed == from) {
                feed = null;
                stopping = from;
            }
        }
        if (stopping != null) {
            stopping.stop();
        }
    }

    /** Reads at once what an append here committed, where no notification does (not PostgreSQL). */
    private void wakeFeed() {
        JdbcFeed f = feed;
        if (f != null) {
            f.wake();
        }
    }

    /** @return the PostgreSQL channel that appends notify: the table prefix and {@code event}, lower case */
    private String channel() {
        return (p + "event").toLowerCase(java.util.Locale.ROOT);
    }

    /** Positions are {@code urn:ssekit:<sequence>}, which {@link #read} takes as it takes an id. */
    @Override
    public Optional<String> latestPosition() {
        try (Borrowed b = borrow();
             PreparedStatement s = prepare(b.connection(), "SELECT MAX(seq) FROM " + p + "event");
             ResultSet rs = s.executeQuery()) {
            long seq = rs.next() ? rs.getLong(1) : 0;
            return seq > 0 ? Optional.of(ID_PREFIX + seq) : Optional.empty();
        } catch (SQLException e) {
            throw failure("read of the newest position", e);
        }
    }

    /**
     * @throws IllegalArgumentException if either is not a position of this store
     */
    @Override
    public int comparePositions(String a, String b) {
        return Long.compare(seqOfPosition(a), seqOfPosition(b));
    }

    private static long seqOfPosition(String position) {
        long seq = assignedSeq(Checks.notNull(position, "position"));
        if (seq > 0) {
            return seq;
        }
        throw new IllegalArgumentException("position must be " + ID_PREFIX + "<sequence>, got " + Checks.quote(position));
    }

    /** The follow's access to the database. */
    private final class FeedSource implements JdbcFeed.Source {
        @Override
        public JdbcFeed.Lease connect() throws SQLException {
            Borrowed b = borrow();
            try {
                b.autoCommit(true); // each read is one statement; LISTEN takes effect at once
            } catch (SQLException | RuntimeException e) {
                b.close();
                throw e;
            }
            return b;
        }

        @Override
        public long lastSeq(Connection c) throws SQLException {
            return metaValue(c, LAST_SEQ);
        }

        /**
         * One statement, so one snapshot: the page of events and all their topic rows. The page is
         * bounded by events, whatever gaps retention left in the numbers.
         */
        @Override
        public List<JdbcFeed.Row> readAfter(Connection c, long seq) throws SQLException {
            List<JdbcFeed.Row> rows = new ArrayList<>();
            try (PreparedStatement s = prepare(c, "SELECT e.seq, e.id, e.type, e.retry_ms, e.data, t.topic FROM "
                    + "(SELECT seq, id, type, retry_ms, data FROM " + p + "event WHERE seq > ? ORDER BY seq FETCH FIRST "
                    + JdbcFeed.PAGE + " ROWS ONLY) e JOIN " + p + "event_topic t ON t.seq = e.seq WHERE t.seq > ? "
                    + "ORDER BY e.seq, t.topic")) {
                s.setLong(1, seq);
                s.setLong(2, seq); // the topic rows' range too, whatever join the planner picks
                try (ResultSet rs = s.executeQuery()) {
                    long current = -1;
                    Event event = null;
                    Set<String> topics = null;
                    while (rs.next()) {
                        if (rs.getLong(1) != current) {
                            if (event != null) {
                                rows.add(new JdbcFeed.Row(current, Collections.unmodifiableSet(topics), event));
                            }
                            current = rs.getLong(1);
                            event = eventAt(rs, 2, 3, 4, 5);
                            topics = new java.util.LinkedHashSet<>();
                        }
                        topics.add(rs.getString(6));
                    }
                    if (event != null) {
                        rows.add(new JdbcFeed.Row(current, Collections.unmodifiableSet(topics), event));
                    }
                }
            }
            return rows;
        }

        @Override
        public String position(long seq) {
            return ID_PREFIX + seq;
        }

        @Override
        public String channel() {
            return postgres ? JdbcHistoryStore.this.channel() : null;
        }
    }

    @Override
    public Replay read(Set<String> topics, String afterId, String untilId) {
        StoreArguments.checkRead(topics, afterId);
        return inSnapshot(c -> readIn(c, topics, afterId, untilId, 0));
    }

    /** The same query with {@code FETCH FIRST limit ROWS ONLY}, so the database plans for a page. */
    @Override
    public Replay readPage(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkRead(topics, afterId);
        StoreArguments.checkLimit(limit);
        return inSnapshot(c -> readIn(c, topics, afterId, untilId, limit));
    }

    /** A read step that may fail with the database. */
    private interface SnapshotRead<T> {
        T read(Connection c) throws SQLException;
    }

    /**
     * One snapshot for the gap check and the select: pruning in between must not hide a gap. On
     * PostgreSQL the isolation is set for this transaction only, by its first statement: the
     * driver's {@code getTransactionIsolation} and {@code setTransactionIsolation} each cost a round
     * trip (a {@code SHOW}, a {@code SET SESSION CHARACTERISTICS}), three per read with the setting
     * given back, where this costs one and leaves nothing to give back.
     */
    private <T> T inSnapshot(SnapshotRead<T> read) {
        try (Borrowed b = borrow()) {
            Connection c = b.connection();
            b.autoCommit(false);
            T result;
            try {
                if (postgres) {
                    try (Statement s = statement(c)) {
                        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                    }
                } else {
                    b.isolation(Connection.TRANSACTION_REPEATABLE_READ);
                }
                result = read.read(c);
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
            c.rollback(); // read only
            return result;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** @param limit the most events read, 0 for all */
    private Replay readIn(Connection c, Set<String> topics, String afterId, String untilId, int limit)
            throws SQLException {
        List<String> topicList = new ArrayList<>(new TreeSet<>(topics));
        String in = String.join(", ", Collections.nCopies(topicList.size(), "?"));
        long maxAgeMs = readMaxAgeMillis();
        long after = readStart(c, topicList, in, afterId, maxAgeMs);
        boolean found = after >= 0;
        after = Math.max(after, 0);
        long until = untilSeq(c, untilId);
        List<Event> events = new ArrayList<>();
        try (PreparedStatement s = prepare(c, "SELECT e.id, e.type, e.retry_ms, e.data FROM " + p + "event e "
                + "WHERE e.seq IN (SELECT t.seq FROM " + p + "event_topic t WHERE t.topic IN (" + in + ") "
                + "AND t.seq > ? AND t.seq <= ?) AND e.created_ms >= " + DATABASE_MILLIS + " - ? ORDER BY e.seq"
                + (limit > 0 ? " FETCH FIRST " + limit + " ROWS ONLY" : ""))) {
            int i = 1;
            for (String topic : topicList) {
                s.setString(i++, topic);
            }
            s.setLong(i++, after);
            s.setLong(i++, until);
            s.setLong(i, maxAgeMs);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Event e = eventAt(rs, 1, 2, 3, 4);
                    events.add(e);
                }
            }
        }
        return new Replay(events, found);
    }

    /**
     * One query in sequence order over every event in the range, joined with its topics (one row per
     * topic, so an event's rows are consecutive), in the same snapshot as the gap check.
     */
    @Override
    public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
        StoreArguments.checkReadMatching(matcher, afterId);
        return inSnapshot(c -> readMatchingIn(c, matcher, afterId, untilId, Integer.MAX_VALUE));
    }

    /**
     * The same query, read in windows of rows bounded in SQL, in the read's snapshot, and left once
     * {@code limit} events matched: what it holds is one page and one window.
     */
    @Override
    public Replay readMatchingPage(TopicMatcher matcher, String afterId, String untilId, int limit) {
        StoreArguments.checkReadMatching(matcher, afterId);
        StoreArguments.checkLimit(limit);
        return inSnapshot(c -> readMatchingIn(c, matcher, afterId, untilId, limit));
    }

    /**
     * @return the sequence number a read on {@code topics} starts after: 0 for {@code earliest}, or
     *         -1 when {@code afterId} is unknown or an event after it on those topics was dropped or
     *         has expired (a gap: the read starts at the earliest retained event, not found)
     */
    private long readStart(Connection c, List<String> topics, String in, String afterId, long maxAgeMs)
            throws SQLException {
        if (EARLIEST.equals(afterId)) {
            return 0;
        }
        long after = seqOf(c, afterId);
        return after > 0 && !droppedAfter(c, topics, in, after, maxAgeMs) ? after : -1;
    }

    /** @return as {@link #readStart}, for a read by matcher: a gap on any topic is a gap */
    private long matchingStart(Connection c, String afterId, long maxAgeMs) throws SQLException {
        if (EARLIEST.equals(afterId)) {
            return 0;
        }
        long after = seqOf(c, afterId);
        return after > 0 && !droppedAfterOnAnyTopic(c, after, maxAgeMs) ? after : -1;
    }

    /**
     * Counts keys only, in the snapshot of the gap check the reads make: the rows of the topic index
     * (of the event table for every topic) in the range, at most {@code limit} plus the expired
     * events of the range, less those expired events. Checking each row's age would fetch every event
     * row (measured on PostgreSQL, one topic of 1,000,000 events: 333 ms for 10,001 rows against 53
     * ms for the keys alone); expired events the sweep has not deleted yet are few, and found through
     * the age index. An event has a row in the event table exactly while some topic holds it (the
     * sweep deletes both in one transaction), so for every topic the event table counts what
     * {@link #readMatching} reads. For several topics an event on two of them has two index rows:
     * the count is of distinct events among at most {@code limit} rows per topic, which reach the
     * limit whenever the range holds that many events.
     */
    @Override
    public int count(Set<String> topics, String afterId, String untilId, int limit) {
        StoreArguments.checkCount(topics, afterId, limit);
        List<String> topicList = new ArrayList<>(new TreeSet<>(topics));
        String in = String.join(", ", Collections.nCopies(topicList.size(), "?"));
        return inSnapshot(c -> {
            long maxAgeMs = readMaxAgeMillis();
            long after = Math.max(0, topicList.isEmpty() ? matchingStart(c, afterId, maxAgeMs)
                    : readStart(c, topicList, in, afterId, maxAgeMs));
            long until = untilSeq(c, untilId);
            long expired;
            try (PreparedStatement s = prepare(c, "SELECT COUNT(*) FROM " + p + "event e WHERE e.created_ms < "
                    + DATABASE_MILLIS + " - ? AND e.seq > ? AND e.seq <= ?" + (topicList.isEmpty() ? ""
                    : " AND EXISTS (SELECT 1 FROM " + p + "event_topic t WHERE t.seq = e.seq AND t.topic IN (" + in + "))"))) {
                int i = 1;
                s.setLong(i++, maxAgeMs);
                s.setLong(i++, after);
                s.setLong(i++, until);
                for (String topic : topicList) {
                    s.setString(i++, topic);
                }
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    expired = rs.getLong(1);
                }
            }
            long rows = Math.min(Integer.MAX_VALUE, (limit + expired) * Math.max(1, topicList.size()));
            String keys = topicList.isEmpty()
                    ? "SELECT COUNT(*) FROM (SELECT e.seq FROM " + p + "event e WHERE e.seq > ? AND e.seq <= ?"
                    : "SELECT COUNT(DISTINCT x.seq) FROM (SELECT t.seq FROM " + p + "event_topic t WHERE t.topic IN ("
                            + in + ") AND t.seq > ? AND t.seq <= ?";
            try (PreparedStatement s = prepare(c, keys + " FETCH FIRST " + rows + " ROWS ONLY) x")) {
                int i = 1;
                for (String topic : topicList) {
                    s.setString(i++, topic);
                }
                s.setLong(i++, after);
                s.setLong(i, until);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return (int) Math.min(limit, rs.getLong(1) - expired);
                }
            }
        });
    }

    /** @return the sequence a read goes up to: {@code untilId}'s, or all for none or an expired one */
    private long untilSeq(Connection c, String untilId) throws SQLException {
        long until = untilId == null ? 0 : seqOf(c, untilId);
        return until > 0 ? until : Long.MAX_VALUE; // an expired bound: the caller drops what it holds live
    }

    private Replay readMatchingIn(Connection c, TopicMatcher matcher, String afterId, String untilId, int limit)
            throws SQLException {
        long maxAgeMs = readMaxAgeMillis();
        long after = matchingStart(c, afterId, maxAgeMs);
        boolean found = after >= 0;
        after = Math.max(after, 0);
        long until = untilSeq(c, untilId);
        List<Event> events = new ArrayList<>();
        if (limit == Integer.MAX_VALUE) {
            matchWindow(c, matcher, after, until, maxAgeMs, 0, events, limit);
            return new Replay(events, found);
        }
        // A page reads windows of rows bounded in SQL, not a cursor the driver may read whole (H2
        // builds the result, some drivers ignore the fetch size): each window ends at the last event
        // it held whole, the next starts after it; one holding a single event's rows only is doubled.
        int window = MATCHING_WINDOW_ROWS;
        while (events.size() < limit) {
            long last = matchWindow(c, matcher, after, until, maxAgeMs, window, events, limit);
            if (last == Long.MIN_VALUE) {
                break; // the range holds no more
            }
            if (last == after) {
                window = Math.multiplyExact(window, 2); // one event with more topics than the window
            } else {
                after = last;
                window = MATCHING_WINDOW_ROWS;
            }
        }
        return new Replay(events, found);
    }

    /**
     * Reads the events of (after, until] in sequence order, at most {@code window} rows (0: all),
     * adding those {@code matcher} accepts to {@code out} until it holds {@code limit}.
     *
     * @return the sequence number of the last event the window held whole (read or matched), {@code after}
     *         if it held none whole, or {@link Long#MIN_VALUE} once the range is read to its end
     */
    private long matchWindow(Connection c, TopicMatcher matcher, long after, long until, long maxAgeMs, int window,
                             List<Event> out, int limit) throws SQLException {
        try (PreparedStatement s = prepare(c, "SELECT e.seq, e.id, e.type, e.retry_ms, e.data, t.topic FROM "
                + p + "event e JOIN " + p + "event_topic t ON t.seq = e.seq WHERE e.seq > ? AND e.seq <= ? "
                + "AND e.created_ms >= " + DATABASE_MILLIS + " - ? ORDER BY e.seq" + (window > 0 ? " FETCH FIRST " + window + " ROWS ONLY" : ""))) {
            s.setLong(1, after);
            s.setLong(2, until);
            s.setLong(3, maxAgeMs);
            try (ResultSet rs = s.executeQuery()) {
                int rows = 0;
                long seq = -1;
                long whole = after; // the last event whose rows were all read
                Event event = null;
                Set<String> topics = new java.util.HashSet<>();
                while (rs.next()) {
                    rows++;
                    if (rs.getLong(1) != seq) {
                        if (event != null) {
                            whole = seq;
                            if (matcher.matches(Set.copyOf(topics))) {
                                out.add(event);
                                if (out.size() >= limit) {
                                    return whole;
                                }
                            }
                        }
                        seq = rs.getLong(1);
                        long retry = rs.getLong(4);
                        Long retryMs = rs.wasNull() ? null : retry;
                        event = eventOf(rs.getString(2), rs.getString(3), retryMs, rs.getString(5));
                        topics.clear();
                    }
                    topics.add(rs.getString(6));
                }
                if (window > 0 && rows == window) {
                    return whole; // the last event's rows may go on past the window: read again
                }
                if (event != null && matcher.matches(Set.copyOf(topics))) {
                    out.add(event);
                }
                return Long.MIN_VALUE;
            }
        }
    }

    private static Event eventOf(String id, String type, Long retryMs, String data) {
        Event e = Event.of(data).withId(id);
        if (type != null) {
            e = e.withType(type);
        }
        return retryMs == null ? e : e.withRetry(Duration.ofMillis(retryMs));
    }

    /** Whether any event after {@code after}, on any topic, was dropped or has expired: a gap for a matcher. */
    private boolean droppedAfterOnAnyTopic(Connection c, long after, long maxAgeMs) throws SQLException {
        try (PreparedStatement s = prepare(c, "SELECT MAX(dropped_up_to) FROM " + p + "topic");
             ResultSet rs = s.executeQuery()) {
            if (rs.next() && rs.getLong(1) > after) {
                return true;
            }
        }
        if (metaValue(c, REMOVED_TOPICS) > after) {
            return true;
        }
        try (PreparedStatement s = prepare(c, "SELECT 1 FROM " + p + "event WHERE seq > ? AND created_ms < "
                + DATABASE_MILLIS + " - ?")) {
            s.setLong(1, after);
            s.setLong(2, maxAgeMs);
            s.setMaxRows(1);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The sequence number of an id: from the table, or parsed from an id this store assigned. */
    private long seqOf(Connection c, String id) throws SQLException {
        try (PreparedStatement s = prepare(c, "SELECT seq FROM " + p + "event WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        long seq = assignedSeq(id);
        // One never issued by this database (reset since, or made up) is unknown.
        return seq > 0 && seq <= metaValue(c, LAST_SEQ) ? seq : -1;
    }

    /** @return the sequence number of an id or position in this store's form, {@code urn:ssekit:<seq>}; -1 otherwise */
    private static long assignedSeq(String id) {
        if (id.startsWith(ID_PREFIX)) {
            try {
                long seq = Long.parseLong(id.substring(ID_PREFIX.length()));
                return seq > 0 ? seq : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Whether an event on these topics after {@code after} was dropped or has expired: a gap. */
    private boolean droppedAfter(Connection c, List<String> topics, String in, long after, long maxAgeMs)
            throws SQLException {
        try (PreparedStatement s = prepare(c, "SELECT COUNT(*), MAX(dropped_up_to) FROM " + p
                + "topic WHERE topic IN (" + in + ")")) {
            for (int i = 0; i < topics.size(); i++) {
                s.setString(i + 1, topics.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getLong(2) > after) {
                    return true;
                }
                // A topic without a row may have been removed, with what it dropped, once it emptied.
                if (rs.getLong(1) < topics.size() && metaValue(c, REMOVED_TOPICS) > after) {
                    return true;
                }
            }
        }
        try (PreparedStatement s = prepare(c, "SELECT 1 FROM " + p + "event_topic t JOIN " + p + "event e "
                + "ON e.seq = t.seq WHERE t.topic IN (" + in + ") AND t.seq > ? AND e.created_ms < " + DATABASE_MILLIS
                + " - ?")) {
            int i = 1;
            for (String topic : topics) {
                s.setString(i++, topic);
            }
            s.setLong(i++, after);
            s.setLong(i, maxAgeMs);
            s.setMaxRows(1);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private long metaValue(Connection c, String name) throws SQLException {
        try (PreparedStatement s = prepare(c, "SELECT val FROM " + p + "meta WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public Optional<String> latestId() {
        try (Borrowed b = borrow();
             PreparedStatement s = prepare(b.connection(), "SELECT id FROM " + p + "event WHERE seq = (SELECT MAX(seq) "
                     + "FROM " + p + "event)");
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw failure("read of the newest id", e);
        }
    }

    /** Takes a connection and validates it ({@link Connection#isValid}, at most 5 s): no table is read. */
    @Override
    public void check() {
        try (Borrowed b = borrow()) {
            Connection c = b.connection();
            if (!c.isValid(CHECK_TIMEOUT_SECONDS)) {
                throw new HistoryStoreException("history database did not validate a connection within "
                        + CHECK_TIMEOUT_SECONDS + " s", null);
            }
        } catch (SQLException e) {
            throw new HistoryStoreException("history database unreachable (" + describe(e) + ")", e);
        }
    }

    /**
     * Drops what retention no longer keeps, now. The work is proportional to what changed since the
     * last sweep: the count limit is checked only on topics that got events since then (the
     * {@code swept_up_to} meta row, at most {@value #SWEEP_RANGE} sequence numbers a round), the age
     * limit reads the expired events only, and events are deleted by the sequence numbers whose topic
     * rows were just deleted, {@value #SWEEP_PAGE} at a time, each page its own transaction. On
     * PostgreSQL one node sweeps at a time: the sweep holds the advisory lock
     * {@code pg_try_advisory_lock(hashtext('<prefix>sweep'))}, and a node that finds it taken skips
     * its turn (returns 0).
     *
     * @return how many events were dropped
     * @throws SseKitException if the database refuses
     */
    public int prune() {
        try (Borrowed b = borrow(true)) {
            Connection c = b.connection();
            long cutoff = databaseMillis(c) - maxAge.toMillis();
            b.autoCommit(false);
            if (postgres && !sweepLock(c, "pg_try_advisory_lock")) {
                return 0; // another node sweeps now
            }
            try {
                int dropped = 0;
                boolean more = true;
                while (more) {
                    long from = metaValue(c, SWEPT);
                    long last = metaValue(c, LAST_SEQ);
                    long to = Math.min(last, from + SWEEP_RANGE);
                    more = to < last;
                    dropped += sweep(c, from, to, cutoff);
                    try (PreparedStatement s = prepareSweep(c, "UPDATE " + p + "meta SET val = ? WHERE name = ? AND val < ?")) {
                        s.setLong(1, to);
                        s.setString(2, SWEPT);
                        s.setLong(3, to);
                        s.executeUpdate();
                    }
                    c.commit();
                }
                return dropped;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            } finally {
                if (postgres) {
                    try {
                        sweepLock(c, "pg_advisory_unlock");
                    } catch (SQLException e) {
                        // The server drops a session's advisory locks with the session.
                        LOG.log(Level.WARNING, "ssekit: releasing the history sweep's advisory lock failed", e);
                    }
                }
            }
        } catch (SQLException e) {
            throw failure("pruning", e);
        }
    }

    /** Sequence numbers whose topics one sweep round checks against the count limit. */
    private static final int SWEEP_RANGE = 100_000;
    /** Rows deleted per sweep transaction. */
    private static final int SWEEP_PAGE = 1000;
    /** The meta row with the newest sequence whose topics a sweep has checked against the count limit. */
    private static final String SWEPT = "swept_up_to";

    /** Takes or releases (by {@code function}) the sweep's session-level advisory lock, in its own transaction. */
    private boolean sweepLock(Connection c, String function) throws SQLException {
        try (PreparedStatement s = prepareSweep(c, "SELECT " + function + "(hashtext(?))")) {
            s.setString(1, p + "sweep");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                boolean done = rs.getBoolean(1);
                c.commit();
                return done;
            }
        }
    }

    /**
     * One sweep round: marks what the count limit (topics with events in {@code (from, to]}) and the
     * age limit drop, then deletes it page by page.
     *
     * @return how many events were dropped
     */
    private int sweep(Connection c, long from, long to, long cutoff) throws SQLException {
        java.util.Map<String, Long> marks = new java.util.TreeMap<>();
        // Age: the newest expired sequence of each topic; only expired events are read.
        try (PreparedStatement s = prepareSweep(c, "SELECT t.topic, MAX(t.seq) FROM " + p + "event_topic t JOIN "
                + p + "event e ON e.seq = t.seq WHERE e.created_ms < ? GROUP BY t.topic")) {
            s.setLong(1, cutoff);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    marks.merge(rs.getString(1), rs.getLong(2), Math::max);
                }
            }
        }
        // Count: only a topic that got events since the last round can have grown past the limit.
        List<String> grown = new ArrayList<>();
        if (to > from) {
            try (PreparedStatement s = prepareSweep(c, "SELECT DISTINCT topic FROM " + p + "event_topic WHERE seq > ? "
                    + "AND seq <= ?")) {
                s.setLong(1, from);
                s.setLong(2, to);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        grown.add(rs.getString(1));
                    }
                }
            }
        }
        for (String topic : grown) {
            try (PreparedStatement s = prepareSweep(c, "SELECT seq FROM " + p + "event_topic WHERE topic = ? "
                    + "ORDER BY seq DESC OFFSET ? ROWS FETCH NEXT 1 ROWS ONLY")) {
                s.setString(1, topic);
                s.setInt(2, maxEventsPerTopic);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        marks.merge(topic, rs.getLong(1), Math::max);
                    }
                }
            }
        }
        int dropped = 0;
        for (java.util.Map.Entry<String, Long> mark : marks.entrySet()) {
            // The mark first: a reader that sees rows gone also sees that they were dropped.
            markDropped(c, mark.getKey(), mark.getValue());
            c.commit();
            dropped += deleteUpTo(c, mark.getKey(), mark.getValue());
        }
        forgetEmptyTopics(c, marks.keySet());
        return dropped;
    }

    /**
     * Deletes a topic's rows up to {@code seq}, a page at a time, and each event of those rows that
     * no other topic holds.
     *
     * @return how many events were deleted
     */
    private int deleteUpTo(Connection c, String topic, long seq) throws SQLException {
        int dropped = 0;
        while (true) {
            List<Long> page = new ArrayList<>(SWEEP_PAGE);
            try (PreparedStatement s = prepareSweep(c, "SELECT seq FROM " + p + "event_topic WHERE topic = ? AND seq <= ? "
                    + "ORDER BY seq FETCH FIRST " + SWEEP_PAGE + " ROWS ONLY")) {
                s.setString(1, topic);
                s.setLong(2, seq);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        page.add(rs.getLong(1));
                    }
                }
            }
            if (page.isEmpty()) {
                return dropped;
            }
            String in = String.join(", ", Collections.nCopies(page.size(), "?"));
            try (PreparedStatement s = prepareSweep(c, "DELETE FROM " + p + "event_topic WHERE topic = ? AND seq IN ("
                    + in + ")")) {
                s.setString(1, topic);
                for (int i = 0; i < page.size(); i++) {
                    s.setLong(i + 2, page.get(i));
                }
                s.executeUpdate();
            }
            try (PreparedStatement s = prepareSweep(c, "DELETE FROM " + p + "event WHERE seq IN (" + in + ") AND NOT EXISTS "
                    + "(SELECT 1 FROM " + p + "event_topic t WHERE t.seq = " + p + "event.seq)")) {
                for (int i = 0; i < page.size(); i++) {
                    s.setLong(i + 1, page.get(i));
                }
                dropped += s.executeUpdate();
            }
            c.commit();
            if (page.size() < SWEEP_PAGE) {
                return dropped;
            }
        }
    }

    /**
     * Removes the row of every topic this round emptied, so that per-resource topics cost nothing
     * once their history expired (only a topic whose rows were just deleted can have become empty).
     * What they dropped is kept as one mark, the highest sequence dropped from any removed topic: a
     * read after an older id on a topic without a row reports a gap. The mark is raised first and
     * only rows it covers are deleted, so a row that another node's pruning raises in between stays.
     */
    private void forgetEmptyTopics(Connection c, Set<String> swept) throws SQLException {
        String empty = "NOT EXISTS (SELECT 1 FROM " + p + "event_topic t WHERE t.topic = " + p + "topic.topic)";
        long highest = -1;
        List<String> emptied = new ArrayList<>();
        for (String topic : swept) {
            try (PreparedStatement s = prepareSweep(c, "SELECT dropped_up_to FROM " + p + "topic WHERE topic = ? AND "
                    + empty)) {
                s.setString(1, topic);
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        emptied.add(topic);
                        highest = Math.max(highest, rs.getLong(1));
                    }
                }
            }
        }
        if (emptied.isEmpty()) {
            return;
        }
        try (PreparedStatement s = prepareSweep(c, "UPDATE " + p + "meta SET val = ? WHERE name = ? AND val < ?")) {
            s.setLong(1, highest);
            s.setString(2, REMOVED_TOPICS);
            s.setLong(3, highest);
            s.executeUpdate();
        }
        for (String topic : emptied) {
            try (PreparedStatement s = prepareSweep(c, "DELETE FROM " + p + "topic WHERE topic = ? AND " + empty
                    + " AND dropped_up_to <= (SELECT val FROM " + p + "meta WHERE name = ?)")) {
                s.setString(1, topic);
                s.setString(2, REMOVED_TOPICS);
                s.executeUpdate();
            }
        }
        c.commit();
    }

    private void markDropped(Connection c, String topic, long seq) throws SQLException {
        try (PreparedStatement s = prepareSweep(c, "UPDATE " + p + "topic SET dropped_up_to = ? WHERE topic = ? "
                + "AND dropped_up_to < ?")) {
            s.setLong(1, seq);
            s.setString(2, topic);
            s.setLong(3, seq);
            if (s.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement s = prepareSweep(c, "SELECT 1 FROM " + p + "topic WHERE topic = ?")) {
            s.setString(1, topic);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    return; // already marked further
                }
            }
        }
        try (PreparedStatement s = prepareSweep(c, "INSERT INTO " + p + "topic (topic, dropped_up_to) VALUES (?, ?)")) {
            s.setString(1, topic);
            s.setLong(2, seq);
            s.executeUpdate();
        }
    }

    private void pruneQuietly() {
        try {
            int dropped = prune();
            if (dropped > 0) {
                LOG.fine(() -> "ssekit: pruned " + dropped + " events from history");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ssekit: pruning history failed; it runs again on the next tick", e);
        }
    }

    private static String describe(SQLException e) {
        return "SQLState " + e.getSQLState() + ": " + e.getMessage();
    }

    /**
     * Stops the pruning task; the data stays in the database. The data source is the caller's unless
     * {@link Builder#closesDataSource} said otherwise.
     */
    @Override
    public void close() {
        JdbcFeed stopping;
        synchronized (feedLock) {
            closed = true;
            stopping = feed;
            feed = null;
        }
        if (stopping != null) {
            stopping.stop();
        }
        if (pruner != null) {
            pruner.shutdownNow();
        }
        if (closesDataSource && dataSource instanceof AutoCloseable owned) {
            try {
                owned.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "ssekit: closing the history store's data source failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "JdbcHistoryStore{tables=" + p + "*, maxEventsPerTopic=" + maxEventsPerTopic + ", maxAge=" + maxAge
                + ", pollInterval=" + pollInterval + "}";
    }

    /** @return the event of the current row, its columns at the given indexes */
    private static Event eventAt(ResultSet rs, int id, int type, int retryMs, int data) throws SQLException {
        Event e = Event.of(rs.getString(data)).withId(rs.getString(id));
        String t = rs.getString(type);
        if (t != null) {
            e = e.withType(t);
        }
        long retry = rs.getLong(retryMs);
        if (!rs.wasNull()) {
            e = e.withRetry(Duration.ofMillis(retry));
        }
        return e;
    }

    /** Settings; each setter checks its value at once. */
    public static final class Builder extends RetentionSettings<Builder> {
        private final DataSource dataSource;
        private String tablePrefix = "ssekit_";
        private Duration pruneInterval = Duration.ofSeconds(30);
        private boolean closesDataSource;
        private boolean joinsTransactions;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;

        private Builder(DataSource dataSource) {
            super(Duration.ofHours(24));
            this.dataSource = dataSource;
        }

        /** @param value the prefix of the table names: a letter or _, then up to 30 letters, digits or _ (default ssekit_) */
        public Builder tablePrefix(String value) {
            Checks.notNull(value, "tablePrefix");
            if (!PREFIX.matcher(value).matches()) {
                throw new IllegalArgumentException("tablePrefix must be a letter or _ then up to 30 letters, digits or _, got "
                        + Checks.quote(value));
            }
            this.tablePrefix = value;
            return this;
        }

        /** @param value how often retention runs, positive; null to run it only by {@link JdbcHistoryStore#prune()} */
        public Builder pruneInterval(Duration value) {
            this.pruneInterval = value == null ? null : Checks.positive(value, "pruneInterval");
            return this;
        }

        /**
         * @param value whether {@link JdbcHistoryStore#close()} also closes the data source, when it is
         *              {@link AutoCloseable} (a pool made for this store only); default false
         * @return this builder
         */
        public Builder closesDataSource(boolean value) {
            this.closesDataSource = value;
            return this;
        }

        /**
         * @param value whether the data source's connections join the caller's JTA transaction (a
         *              server's JTA {@code DataSource}); then events published in a transaction go
         *              through the transactional outbox (see the class documentation). Default false:
         *              events published in a transaction are appended after its commit.
         * @return this builder
         */
        public Builder joinsTransactions(boolean value) {
            this.joinsTransactions = value;
            return this;
        }

        /**
         * @param value how long one statement may run, waits for locks included, before the driver
         *              cancels it ({@link Statement#setQueryTimeout}, whole seconds, rounded up);
         *              positive (default 5 s). The retention sweep's statements get 60 s.
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder statementTimeout(Duration value) {
            this.statementTimeout = Checks.positive(value, "statementTimeout");
            return this;
        }

        /**
         * @param value how long the driver waits for the database to answer on the network before it
         *              gives the connection up ({@link Connection#setNetworkTimeout}, set on every
         *              connection the store borrows and given back before it returns it; drivers
         *              without it are bounded by the statement timeout only); greater than the
         *              statement timeout, so that a slow statement is cancelled rather than its
         *              connection lost (default 10 s)
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder networkTimeout(Duration value) {
            this.networkTimeout = Checks.positive(value, "networkTimeout");
            return this;
        }

        /**
         * @param value how often the follow reads the event table when nothing woke it (see the class
         *              documentation, "Several nodes"): on PostgreSQL a safety net behind
         *              {@code LISTEN/NOTIFY}, on other databases how late another node's events arrive
         *              at most; positive (default 1 s)
         * @return this builder
         * @throws IllegalArgumentException if the value is null, zero or negative
         */
        public Builder pollInterval(Duration value) {
            this.pollInterval = Checks.positive(value, "pollInterval");
            return this;
        }

        /**
         * @return the store, its schema created if absent
         * @throws IllegalArgumentException if the network timeout is not greater than the statement timeout
         * @throws SseKitException if the database cannot be reached or refuses the schema
         */
        public JdbcHistoryStore build() {
            if (networkTimeout.compareTo(statementTimeout) <= 0) {
                throw new IllegalArgumentException("networkTimeout must be greater than statementTimeout ("
                        + statementTimeout + "), got " + networkTimeout);
            }
            return new JdbcHistoryStore(this);
        }
    }
}
