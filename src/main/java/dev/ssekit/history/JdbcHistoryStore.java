package dev.ssekit.history;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.TopicMatcher;
import dev.ssekit.SseKitException;
import dev.ssekit.internal.Checks;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
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
 * and is shared by every node that uses the same database. Tested on PostgreSQL and H2.
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
 * }</pre>
 * The replay query reads {@code ssekit_event_topic} by its primary key (topic, then sequence).
 *
 * <h2>Order</h2>
 * Every append takes the next sequence number by updating the {@code last_seq} row, in the same
 * transaction as its inserts. That row lock makes appenders, on one node or many, commit in sequence
 * order, so a reader never sees a later event before an earlier one.
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
 * A topic whose events all expired loses its rows too (per-resource topics such as {@code orders/42}
 * would otherwise grow the {@code topic} table without bound); the highest sequence such topics
 * dropped is kept in one {@code meta} row, so a read after an older id on a topic without a row is
 * still reported as not found.
 * Pruning takes no lock that appends wait for. {@link #prune()} runs it at once.
 */
public final class JdbcHistoryStore implements HistoryStore {
    private static final Logger LOG = Logger.getLogger(JdbcHistoryStore.class.getName());
    private static final String ID_PREFIX = "urn:ssekit:";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,30}");
    private static final int MAX_KEY_BYTES = 2048;
    private static final String LAST_SEQ = "last_seq";
    /** The meta row with the highest sequence dropped from topics whose rows were all removed. */
    private static final String REMOVED_TOPICS = "removed_topics_dropped_up_to";

    private static final int CHECK_TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final String p;
    private final int maxEventsPerTopic;
    private final Duration maxAge;
    private final Clock clock;
    private final ScheduledExecutorService pruner;
    private final boolean closesDataSource;
    private volatile boolean closed;

    private JdbcHistoryStore(Builder b) {
        this.dataSource = b.dataSource;
        this.p = b.tablePrefix;
        this.maxEventsPerTopic = b.maxEventsPerTopic;
        this.maxAge = b.maxAge;
        this.clock = b.clock;
        this.closesDataSource = b.closesDataSource;
        createSchema();
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
     */
    private void createSchema() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                tryCreateSchema();
                return;
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

    private void tryCreateSchema() {
        String[] ddl = {
            "CREATE TABLE IF NOT EXISTS " + p + "meta (name VARCHAR(64) PRIMARY KEY, val BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + p + "event (seq BIGINT PRIMARY KEY, id VARCHAR(1024) NOT NULL UNIQUE, "
                    + "type VARCHAR(1024), retry_ms BIGINT, data TEXT NOT NULL, created_ms BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS " + p + "event_topic (topic VARCHAR(1024) NOT NULL, seq BIGINT NOT NULL, "
                    + "PRIMARY KEY (topic, seq))",
            "CREATE INDEX IF NOT EXISTS " + p + "event_topic_seq ON " + p + "event_topic (seq)",
            "CREATE INDEX IF NOT EXISTS " + p + "event_created ON " + p + "event (created_ms)",
            "CREATE TABLE IF NOT EXISTS " + p + "topic (topic VARCHAR(1024) PRIMARY KEY, dropped_up_to BIGINT NOT NULL)",
        };
        try (Connection c = connect()) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                for (String sql : ddl) {
                    s.execute(sql);
                }
            }
            for (String row : new String[]{LAST_SEQ, REMOVED_TOPICS}) {
                try (PreparedStatement s = c.prepareStatement("SELECT val FROM " + p + "meta WHERE name = ?")) {
                    s.setString(1, row);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            continue;
                        }
                    }
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + p + "meta (name, val) VALUES (?, 0)")) {
                    insert.setString(1, row);
                    insert.executeUpdate();
                } catch (SQLException raced) {
                    // another node created it at the same moment: fine
                    LOG.log(Level.FINE, "ssekit: " + row + " row created concurrently", raced);
                }
            }
            requireCommitsWritten(c);
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
    private static void requireCommitsWritten(Connection c) throws SQLException {
        java.sql.DatabaseMetaData meta = c.getMetaData();
        if (!"H2".equals(meta.getDatabaseProductName()) || String.valueOf(meta.getURL()).startsWith("jdbc:h2:mem:")) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                + "WHERE SETTING_NAME = 'WRITE_DELAY'");
             ResultSet rs = s.executeQuery()) {
            if (rs.next() && "0".equals(rs.getString(1))) {
                return;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET WRITE_DELAY 0");
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "ssekit: H2 refused SET WRITE_DELAY 0 (" + describe(e) + "): a crash can lose "
                    + "events acknowledged in the last half second; add ;WRITE_DELAY=0 to the URL as an admin user", e);
        }
    }

    private Connection connect() throws SQLException {
        if (closed) {
            throw HistoryStoreException.closed("history store");
        }
        return dataSource.getConnection();
    }

    @Override
    public List<Event> append(List<Entry> batch) {
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
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                String taken = firstExisting(c, given);
                if (taken != null) {
                    throw new DuplicateIdException(taken);
                }
                long first = takeSeqs(c, batch.size());
                List<Event> stored = new ArrayList<>(batch.size());
                List<Object[]> eventRows = new ArrayList<>(batch.size());
                List<Object[]> topicRows = new ArrayList<>(batch.size());
                long now = clock.millis();
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
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            if (!given.isEmpty() && e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                // Another node stored one of the ids between our check and our insert.
                try (Connection c = connect()) {
                    String taken = firstExisting(c, given);
                    if (taken != null) {
                        throw new DuplicateIdException(taken);
                    }
                } catch (SQLException again) {
                    e.addSuppressed(again);
                }
            }
            throw new HistoryStoreException("history database refused the append (" + describe(e) + ")", e);
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
    private static void insertRows(Connection c, String tableAndColumns, int[] types, List<Object[]> rows)
            throws SQLException {
        int columns = types.length;
        String tuple = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + tableAndColumns + " VALUES "
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
     * Takes {@code count} consecutive sequence numbers and returns the first; the row lock it holds
     * until commit orders all appenders, on one node or many.
     */
    private long takeSeqs(Connection c, int count) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + p + "meta SET val = val + ? WHERE name = 'last_seq'")) {
            s.setLong(1, count);
            if (s.executeUpdate() != 1) {
                throw new SQLException("the " + p + "meta table has no last_seq row");
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT val FROM " + p + "meta WHERE name = 'last_seq'");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1) - count + 1;
        }
    }

    /** @return one of {@code ids} already stored, or null */
    private String firstExisting(Connection c, Set<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return null;
        }
        String in = String.join(", ", Collections.nCopies(ids.size(), "?"));
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM " + p + "event WHERE id IN (" + in + ")")) {
            int i = 1;
            for (String id : ids) {
                s.setString(i++, id);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Override
    public Replay read(Set<String> topics, String afterId, String untilId) {
        StoreArguments.checkRead(topics, afterId);
        try (Connection c = connect()) {
            // One snapshot for the gap check and the select: pruning in between must not hide a gap.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return readIn(c, topics, afterId, untilId);
            } finally {
                c.rollback(); // read only
            }
        } catch (SQLException e) {
            throw new HistoryStoreException("history database refused the read (" + describe(e) + ")", e);
        }
    }

    private Replay readIn(Connection c, Set<String> topics, String afterId, String untilId) throws SQLException {
        List<String> topicList = new ArrayList<>(new TreeSet<>(topics));
        String in = String.join(", ", Collections.nCopies(topicList.size(), "?"));
        long cutoff = clock.millis() - maxAge.toMillis();
        long after = EARLIEST.equals(afterId) ? 0 : seqOf(c, afterId);
        boolean found = EARLIEST.equals(afterId) || after > 0;
        if (found && after > 0 && droppedAfter(c, topicList, in, after, cutoff)) {
            found = false;
        }
        if (!found) {
            after = 0;
        }
        long until = untilId == null ? Long.MAX_VALUE : seqOf(c, untilId);
        if (until <= 0) {
            until = Long.MAX_VALUE; // an expired bound: the caller drops what it holds live
        }
        List<Event> events = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT e.id, e.type, e.retry_ms, e.data FROM " + p + "event e "
                + "WHERE e.seq IN (SELECT t.seq FROM " + p + "event_topic t WHERE t.topic IN (" + in + ") "
                + "AND t.seq > ? AND t.seq <= ?) AND e.created_ms >= ? ORDER BY e.seq")) {
            int i = 1;
            for (String topic : topicList) {
                s.setString(i++, topic);
            }
            s.setLong(i++, after);
            s.setLong(i++, until);
            s.setLong(i, cutoff);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Event e = Event.of(rs.getString(4)).withId(rs.getString(1));
                    String type = rs.getString(2);
                    if (type != null) {
                        e = e.withType(type);
                    }
                    long retry = rs.getLong(3);
                    if (!rs.wasNull()) {
                        e = e.withRetry(Duration.ofMillis(retry));
                    }
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
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return readMatchingIn(c, matcher, afterId, untilId);
            } finally {
                c.rollback(); // read only
            }
        } catch (SQLException e) {
            throw new HistoryStoreException("history database refused the read (" + describe(e) + ")", e);
        }
    }

    private Replay readMatchingIn(Connection c, TopicMatcher matcher, String afterId, String untilId)
            throws SQLException {
        long cutoff = clock.millis() - maxAge.toMillis();
        long after = EARLIEST.equals(afterId) ? 0 : seqOf(c, afterId);
        boolean found = EARLIEST.equals(afterId) || (after > 0 && !droppedAfterOnAnyTopic(c, after, cutoff));
        if (!found) {
            after = 0;
        }
        long until = untilId == null ? Long.MAX_VALUE : seqOf(c, untilId);
        if (until <= 0) {
            until = Long.MAX_VALUE; // an expired bound: the caller drops what it holds live
        }
        List<Event> events = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT e.seq, e.id, e.type, e.retry_ms, e.data, t.topic FROM "
                + p + "event e JOIN " + p + "event_topic t ON t.seq = e.seq WHERE e.seq > ? AND e.seq <= ? "
                + "AND e.created_ms >= ? ORDER BY e.seq")) {
            s.setLong(1, after);
            s.setLong(2, until);
            s.setLong(3, cutoff);
            try (ResultSet rs = s.executeQuery()) {
                long seq = -1;
                Event event = null;
                Set<String> topics = new java.util.HashSet<>();
                while (rs.next()) {
                    if (rs.getLong(1) != seq) {
                        if (event != null && matcher.matches(Set.copyOf(topics))) {
                            events.add(event);
                        }
                        seq = rs.getLong(1);
                        long retry = rs.getLong(4);
                        Long retryMs = rs.wasNull() ? null : retry;
                        event = eventOf(rs.getString(2), rs.getString(3), retryMs, rs.getString(5));
                        topics.clear();
                    }
                    topics.add(rs.getString(6));
                }
                if (event != null && matcher.matches(Set.copyOf(topics))) {
                    events.add(event);
                }
            }
        }
        return new Replay(events, found);
    }

    private static Event eventOf(String id, String type, Long retryMs, String data) {
        Event e = Event.of(data).withId(id);
        if (type != null) {
            e = e.withType(type);
        }
        return retryMs == null ? e : e.withRetry(Duration.ofMillis(retryMs));
    }

    /** Whether any event after {@code after}, on any topic, was dropped or has expired: a gap for a matcher. */
    private boolean droppedAfterOnAnyTopic(Connection c, long after, long cutoff) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT MAX(dropped_up_to) FROM " + p + "topic");
             ResultSet rs = s.executeQuery()) {
            if (rs.next() && rs.getLong(1) > after) {
                return true;
            }
        }
        if (metaValue(c, REMOVED_TOPICS) > after) {
            return true;
        }
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + p + "event WHERE seq > ? AND created_ms < ?")) {
            s.setLong(1, after);
            s.setLong(2, cutoff);
            s.setMaxRows(1);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The sequence number of an id: from the table, or parsed from an id this store assigned. */
    private long seqOf(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT seq FROM " + p + "event WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        if (id.startsWith(ID_PREFIX)) {
            long seq;
            try {
                seq = Long.parseLong(id.substring(ID_PREFIX.length()));
            } catch (NumberFormatException e) {
                return -1;
            }
            // Never issued by this database (reset since, or made up): unknown.
            try (PreparedStatement s = c.prepareStatement("SELECT val FROM " + p + "meta WHERE name = 'last_seq'");
                 ResultSet rs = s.executeQuery()) {
                return rs.next() && seq > 0 && seq <= rs.getLong(1) ? seq : -1;
            }
        }
        return -1;
    }

    /** Whether an event on these topics after {@code after} was dropped or has expired: a gap. */
    private boolean droppedAfter(Connection c, List<String> topics, String in, long after, long cutoff)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*), MAX(dropped_up_to) FROM " + p
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
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + p + "event_topic t JOIN " + p + "event e "
                + "ON e.seq = t.seq WHERE t.topic IN (" + in + ") AND t.seq > ? AND e.created_ms < ?")) {
            int i = 1;
            for (String topic : topics) {
                s.setString(i++, topic);
            }
            s.setLong(i++, after);
            s.setLong(i, cutoff);
            s.setMaxRows(1);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private long metaValue(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT val FROM " + p + "meta WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public Optional<String> latestId() {
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("SELECT id FROM " + p + "event WHERE seq = (SELECT MAX(seq) FROM "
                     + p + "event)");
             ResultSet rs = s.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw new HistoryStoreException("history database refused a read (" + describe(e) + ")", e);
        }
    }

    /** Takes a connection and validates it ({@link Connection#isValid}, at most 5 s): no table is read. */
    @Override
    public void check() {
        try (Connection c = connect()) {
            if (!c.isValid(CHECK_TIMEOUT_SECONDS)) {
                throw new HistoryStoreException("history database did not validate a connection within "
                        + CHECK_TIMEOUT_SECONDS + " s", null);
            }
        } catch (SQLException e) {
            throw new HistoryStoreException("history database unreachable (" + describe(e) + ")", e);
        }
    }

    /**
     * Drops what retention no longer keeps, now.
     *
     * @return how many events were dropped
     * @throws SseKitException if the database refuses
     */
    public int prune() {
        long cutoff = clock.millis() - maxAge.toMillis();
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                List<String[]> marks = new ArrayList<>();
                // Age: the newest expired sequence of each topic.
                try (PreparedStatement s = c.prepareStatement("SELECT t.topic, MAX(t.seq) FROM " + p + "event_topic t JOIN "
                        + p + "event e ON e.seq = t.seq WHERE e.created_ms < ? GROUP BY t.topic")) {
                    s.setLong(1, cutoff);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            marks.add(new String[]{rs.getString(1), Long.toString(rs.getLong(2))});
                        }
                    }
                }
                // Count: the newest sequence beyond the per-topic limit.
                List<String> crowded = new ArrayList<>();
                try (PreparedStatement s = c.prepareStatement("SELECT topic FROM " + p + "event_topic GROUP BY topic "
                        + "HAVING COUNT(*) > ?")) {
                    s.setInt(1, maxEventsPerTopic);
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            crowded.add(rs.getString(1));
                        }
                    }
                }
                for (String topic : crowded) {
                    try (PreparedStatement s = c.prepareStatement("SELECT seq FROM " + p + "event_topic WHERE topic = ? "
                            + "ORDER BY seq DESC OFFSET ? ROWS FETCH NEXT 1 ROWS ONLY")) {
                        s.setString(1, topic);
                        s.setInt(2, maxEventsPerTopic);
                        try (ResultSet rs = s.executeQuery()) {
                            if (rs.next()) {
                                marks.add(new String[]{topic, Long.toString(rs.getLong(1))});
                            }
                        }
                    }
                }
                for (String[] mark : marks) {
                    markDropped(c, mark[0], Long.parseLong(mark[1]));
                    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + p + "event_topic WHERE topic = ? AND seq <= ?")) {
                        s.setString(1, mark[0]);
                        s.setLong(2, Long.parseLong(mark[1]));
                        s.executeUpdate();
                    }
                }
                int dropped;
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + p + "event WHERE NOT EXISTS "
                        + "(SELECT 1 FROM " + p + "event_topic t WHERE t.seq = " + p + "event.seq)")) {
                    dropped = s.executeUpdate();
                }
                forgetEmptyTopics(c);
                c.commit();
                return dropped;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new HistoryStoreException("history database refused the pruning (" + describe(e) + ")", e);
        }
    }

    /**
     * Removes the row of every topic that has no event left, so that per-resource topics cost nothing
     * once their history expired. What they dropped is kept as one mark, the highest sequence dropped
     * from any removed topic: a read after an older id on a topic without a row reports a gap. The
     * mark is raised first and only rows it covers are deleted, so a row that another node's pruning
     * raises in between stays.
     */
    private void forgetEmptyTopics(Connection c) throws SQLException {
        String empty = "NOT EXISTS (SELECT 1 FROM " + p + "event_topic t WHERE t.topic = " + p + "topic.topic)";
        long highest;
        try (PreparedStatement s = c.prepareStatement("SELECT MAX(dropped_up_to) FROM " + p + "topic WHERE " + empty);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            highest = rs.getLong(1);
            if (rs.wasNull()) {
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE " + p + "meta SET val = ? WHERE name = ? AND val < ?")) {
            s.setLong(1, highest);
            s.setString(2, REMOVED_TOPICS);
            s.setLong(3, highest);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + p + "topic WHERE " + empty
                + " AND dropped_up_to <= (SELECT val FROM " + p + "meta WHERE name = ?)")) {
            s.setString(1, REMOVED_TOPICS);
            s.executeUpdate();
        }
    }

    private void markDropped(Connection c, String topic, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + p + "topic SET dropped_up_to = ? WHERE topic = ? "
                + "AND dropped_up_to < ?")) {
            s.setLong(1, seq);
            s.setString(2, topic);
            s.setLong(3, seq);
            if (s.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + p + "topic WHERE topic = ?")) {
            s.setString(1, topic);
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    return; // already marked further
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + p + "topic (topic, dropped_up_to) VALUES (?, ?)")) {
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
        closed = true;
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
        return "JdbcHistoryStore{tables=" + p + "*, maxEventsPerTopic=" + maxEventsPerTopic + ", maxAge=" + maxAge + "}";
    }

    /** Settings; each setter checks its value at once. */
    public static final class Builder extends RetentionSettings<Builder> {
        private final DataSource dataSource;
        private String tablePrefix = "ssekit_";
        private Duration pruneInterval = Duration.ofSeconds(30);
        private boolean closesDataSource;

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
         * @return the store, its schema created if absent
         * @throws SseKitException if the database cannot be reached or refuses the schema
         */
        public JdbcHistoryStore build() {
            return new JdbcHistoryStore(this);
        }
    }
}
