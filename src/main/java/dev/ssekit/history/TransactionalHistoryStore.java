package dev.ssekit.history;

import java.util.List;
import java.util.Set;

/**
 * A {@link HistoryStore} that can write events in the publisher's own JTA transaction (a
 * transactional outbox), so that they are kept exactly when the publisher's data is. ssekit uses it
 * when an event is published inside a transaction and {@link #joinsTransactions()} is true: the
 * event is written to the outbox at the call, in the caller's transaction, and after the commit
 * {@link #relay()} moves it into history, from where it is fanned out.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #appendInTransaction} writes through a connection of the caller's transaction and
 *   never commits, rolls back or changes its auto-commit: the transaction's outcome decides.</li>
 *   <li>{@link #relay()} moves the oldest committed outbox entries into history, a bounded number
 *   per call and atomically per call, in the order the outbox saw them committed (entries of one
 *   transaction in the order written), and removes them from the outbox; each entry is moved once,
 *   whichever node relays it. {@link Relayed#more()} says whether the outbox may hold more: the
 *   caller calls again, so that what one call moves is handed on before the next one runs and a
 *   failure never leaves moved entries unreported. It may be called on any thread, in no
 *   transaction, at any time (at start, to drain what a crash left).</li>
 * </ul>
 */
public interface TransactionalHistoryStore extends HistoryStore {
    /**
     * @return true if this store's connections join the caller's JTA transaction (a server's JTA
     *         {@code DataSource}), so that {@link #appendInTransaction} is atomic with it
     */
    boolean joinsTransactions();

    /**
     * Writes events to the outbox in the caller's transaction. They enter history, with their ids,
     * only once the transaction commits and {@link #relay()} runs.
     *
     * @param batch entries whose events all carry an id
     * @throws dev.ssekit.DuplicateIdException  if an id is already in history
     * @throws dev.ssekit.HistoryStoreException if the store failed
     * @throws IllegalArgumentException         if an entry has no id or can never be stored here
     */
    void appendInTransaction(List<Entry> batch);

    /**
     * Moves the oldest committed outbox entries into history, a bounded number of them (see the
     * contract).
     *
     * @return the entries moved by this call, as stored, in history order, the ids of those it
     *         dropped from the outbox because the id was already in history, and whether more may
     *         wait
     * @throws dev.ssekit.HistoryStoreException if the store failed; nothing was moved by this call
     *         then (unless the failure hid a commit: the entries are then in history once)
     */
    Relayed relay();

    /**
     * What one {@link #relay()} did.
     *
     * @param moved   the entries moved into history, as stored, in history order
     * @param dropped the ids of committed entries dropped because another event had taken the id
     *                between the outbox write and the relay: they are not in history
     * @param more    whether the outbox may hold more committed entries: call {@link #relay()} again
     */
    record Relayed(List<Entry> moved, Set<String> dropped, boolean more) {
        /** Nothing to relay. */
        public static final Relayed NONE = new Relayed(List.of(), Set.of(), false);

        public Relayed {
            moved = List.copyOf(moved);
            dropped = Set.copyOf(dropped);
        }

        /** The outcome of a call after which the outbox held nothing more. */
        public Relayed(List<Entry> moved, Set<String> dropped) {
            this(moved, dropped, false);
        }
    }
}
