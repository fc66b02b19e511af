package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The follow of a {@link JdbcHistoryStore}: one thread and one connection per store, however many
 * followers, reading the event table by sequence number after the newest one it delivered (its
 * high-water mark), a bounded page at a time, and handing each event to every follower.
 *
 * <p>Reading by sequence is gap-free because appenders commit in sequence order: each takes its
 * numbers by updating the store's sequence row and holds that row's lock until its commit, so a
 * number is visible only once every smaller one is. Numbers are dense (a rolled-back append gives
 * its numbers back with the row), so a number missing from a read was dropped by retention before
 * the feed got to it: the followers are told ({@link SharedHistoryStore.AppendListener#missedEvents}).
 *
 * <p>What wakes it: on PostgreSQL, a {@code NOTIFY} that every append sends in its transaction, which
 * the feed's connection {@code LISTEN}s for; elsewhere, and on PostgreSQL whenever its driver cannot
 * be reached through {@link Connection#unwrap}, an append of this store (same process) and a poll
 * every {@link JdbcHistoryStore.Builder#pollInterval}. The poll also runs on PostgreSQL, in case a
 * notification never comes. A lost connection is opened again after a second, and the feed resumes
 * from its high-water mark.
 */
final class JdbcFeed implements Runnable {
    private static final Logger LOG = Logger.getLogger(JdbcFeed.class.getName());
    /** Events one read takes at most: what the feed holds at a time is one page. */
    static final int PAGE = 500;
    /** The pause before a lost connection is opened again; close() cuts it short. */
    private static final long RECONNECT_MILLIS = 1000;

    /** The store's side: the connection and the reads. */
    interface Source {
        /** @return the feed's own connection, in auto-commit, for as long as the feed runs */
        Lease connect() throws SQLException;

        /** @return the newest sequence number committed, 0 for none */
        long lastSeq(Connection c) throws SQLException;

        /** @return up to {@link #PAGE} events after {@code seq}, in sequence order, read in one statement */
        List<Row> readAfter(Connection c, long seq) throws SQLException;

        /** @return the position of a sequence number */
        String position(long seq);

        /** @return the channel to LISTEN on, or null where the database has none (not PostgreSQL) */
        String channel();
    }

    /** A connection of the feed's; closing it gives it back as it was borrowed. */
    interface Lease extends AutoCloseable {
        Connection connection();

        @Override
        void close() throws SQLException;
    }

    /** One event as the feed read it. */
    record Row(long seq, Set<String> topics, Event event) {
    }

    private final Source source;
    private final long pollMillis;
    private final Thread thread;
    private final Object wake = new Object();
    private final Object marks = new Object();
    private final List<Follow> follows = new CopyOnWriteArrayList<>();
    private boolean woken; // under wake
    private volatile boolean running = true;
    private volatile Lease lease;
    private volatile PgNotifications notifications;
    private long highWater; // under marks: the newest sequence number handed on
    private boolean warnedNoListen;

    /**
     * Reads where the store stands now, then starts the thread.
     *
     * @throws HistoryStoreException if the database cannot be read
     */
    JdbcFeed(Source source, Duration pollInterval, String storeName) {
        this.source = source;
        this.pollMillis = Math.max(1, pollInterval.toMillis());
        try {
            open();
            highWater = source.lastSeq(lease.connection());
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            throw new HistoryStoreException("history database refused to start following events (" + e.getMessage()
                    + ")", e);
        }
        this.thread = new Thread(this, "ssekit-jdbc-follow-" + storeName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Opens the connection and LISTENs where it can. */
    private void open() throws SQLException {
        lease = source.connect();
        String channel = source.channel();
        notifications = channel == null ? null : listen(lease.connection(), channel);
    }

    /** @return the way to receive notifications on {@code c}, or null when only polls wake the feed */
    private PgNotifications listen(Connection c, String channel) throws SQLException {
        PgNotifications n;
        try {
            n = PgNotifications.of(c);
        } catch (LinkageError e) { // the PostgreSQL driver is not visible to ssekit's class loader
            n = null;
        }
        if (n == null) {
            if (!warnedNoListen) {
                warnedNoListen = true;
                LOG.warning("ssekit: the history connection (" + c.getClass().getName() + ") does not unwrap to the "
                        + "PostgreSQL driver's PGConnection: other nodes' events reach this node by polling, every "
                        + pollMillis + " ms (ssekit.history.jdbc.poll.interval)");
            }
            return null;
        }
        n.listen(c, channel);
        return n;
    }

    /** A follower: its listener and the mark it started after. */
    final class Follow implements SharedHistoryStore.Follower {
        private final SharedHistoryStore.AppendListener listener;
        private final long startedAfter;
        private final Runnable onClose;
        private volatile boolean closed;

        Follow(SharedHistoryStore.AppendListener listener, long startedAfter, Runnable onClose) {
            this.listener = listener;
            this.startedAfter = startedAfter;
            this.onClose = onClose;
        }

        @Override
        public Optional<String> startedAfter() {
            return startedAfter == 0 ? Optional.empty() : Optional.of(source.position(startedAfter));
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                onClose.run();
            }
        }
    }

    /**
     * Adds a follower that gets every event after the feed's high-water mark now.
     *
     * @param onClose run once when the follower closes
     */
    Follow add(SharedHistoryStore.AppendListener listener, Runnable onClose) {
        synchronized (marks) {
            Follow f = new Follow(listener, highWater, onClose);
            follows.add(f);
            return f;
        }
    }

    /** @return whether no follower is left after removing {@code f} */
    boolean remove(Follow f) {
        follows.remove(f);
        return follows.isEmpty();
    }

    /**
     * Reads at once, without waiting for the next poll: an append of this store committed. A feed
     * that listens gets the append's notification instead.
     */
    void wake() {
        if (notifications != null) {
            return;
        }
        signal();
    }

    private void signal() {
        synchronized (wake) {
            woken = true;
            wake.notifyAll();
        }
    }

    /**
     * Stops the thread and gives its connection up. A thread waiting for a notification is woken by
     * aborting its connection ({@link Connection#abort}), which a pool then replaces.
     */
    void stop() {
        running = false;
        signal();
        Lease l = lease;
        if (l != null && notifications != null && Thread.currentThread() != thread) {
            try {
                l.connection().abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.FINE, "ssekit: aborting the follow's connection failed; it ends after its poll", e);
            }
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        boolean failing = false;
        try {
            while (running) {
                try {
                    if (lease == null) {
                        open();
                    }
                    drain();
                    if (failing) {
                        failing = false;
                        LOG.info("ssekit: following the history database again");
                    }
                    await();
                } catch (SQLException | RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    if (!failing) {
                        failing = true;
                        LOG.log(Level.WARNING, "ssekit: lost the history database while following events; retrying "
                                + "every second, then resuming after the newest event delivered", e);
                    }
                    closeConnection();
                    pause(RECONNECT_MILLIS);
                }
            }
        } finally {
            closeConnection();
        }
    }

    /** Reads pages until one comes back short, handing each event on. */
    private void drain() throws SQLException {
        while (running) {
            long after;
            synchronized (marks) {
                after = highWater;
            }
            List<Row> page = source.readAfter(lease.connection(), after);
            for (Row row : page) {
                if (!running) {
                    return;
                }
                deliver(row, row.seq() != after + 1);
                after = row.seq();
            }
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    /** Moves the mark to {@code row} and hands it to every follower that started before it. */
    private void deliver(Row row, boolean gapBefore) {
        List<Follow> to = new ArrayList<>(follows.size());
        synchronized (marks) {
            highWater = row.seq();
            for (Follow f : follows) {
                if (f.startedAfter < row.seq()) {
                    to.add(f);
                }
            }
        }
        String position = source.position(row.seq());
        for (Follow f : to) {
            if (f.closed) {
                continue;
            }
            try {
                if (gapBefore && f.startedAfter < row.seq() - 1) {
                    // Retention dropped events this follower never got: its clients must replay.
                    f.listener.missedEvents();
                }
                f.listener.appended(row.topics(), row.event(), position);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ssekit: an append listener failed on " + position, e);
            }
        }
    }

    /** Waits for a notification, an append of this store, or the poll interval, whichever comes first. */
    private void await() throws SQLException {
        PgNotifications n = notifications;
        if (n != null) {
            n.await(pollMillis);
        } else {
            pause(pollMillis);
        }
    }

    private void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (wake) {
            try {
                while (!woken && running) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    wake.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
            woken = false;
        }
    }

    private void closeConnection() {
        Lease l = lease;
        lease = null;
        notifications = null;
        if (l != null) {
            try {
                l.close();
            } catch (SQLException e) {
                LOG.log(Level.FINE, "ssekit: giving the follow's connection back failed", e);
            }
        }
    }
}
