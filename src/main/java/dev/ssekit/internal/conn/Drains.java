package dev.ssekit.internal.conn;

import java.util.ArrayList;
import java.util.List;

/**
 * The drains one fan-out makes due, submitted to the writers together: connections on a
 * non-blocking outlet share a writer task, {@value #PER_TASK} at most, instead of one task and one
 * worker wake-up per delivery. Their drains never block, so one client cannot hold up the others in
 * its task; a connection that may block keeps a task of its own.
 *
 * <p>Why: handing each delivery to a writer was about half the fan-out thread's time with 1,000
 * subscribers (bench run S). One per fan-out thread and call; not thread-safe.
 */
public final class Drains {
    /** Connections per shared task: few enough that a task stays short, many enough to matter. */
    static final int PER_TASK = 64;

    private final List<Connection> due = new ArrayList<>();

    void add(Connection connection) {
        due.add(connection);
    }

    /** @return the drains collected and not yet submitted */
    int pending() {
        return due.size();
    }

    /** Submits what was collected, in tasks of {@link #PER_TASK}; call once the fan-out is done. */
    public void submit() {
        int n = due.size();
        for (int from = 0; from < n; from += PER_TASK) {
            List<Connection> part = List.copyOf(due.subList(from, Math.min(n, from + PER_TASK)));
            Connection first = part.get(0);
            first.submitShared(() -> {
                for (Connection c : part) {
                    c.drainShared();
                }
            }, part);
        }
        due.clear();
    }
}
