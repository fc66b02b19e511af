package dev.ssekit.history;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a store whose history survives a restart must do besides. */
abstract class DurableHistoryStoreContract extends HistoryStoreContract {
    /** @return a new store on the data of {@code closed} (already closed), as after a restart */
    protected abstract HistoryStore reopen(HistoryStore closed);

    /** Another store on the same database or Redis, as a second node opens it. */
    @Override
    protected HistoryStore secondNode(HistoryStore store) {
        return reopen(store);
    }

    /** A node of a shared store, for the stores that run {@link SharedHistoryStoreContract} too. */
    public SharedHistoryStore newNode() {
        return (SharedHistoryStore) create();
    }

    /** Another node on {@code node}'s data, as {@link SharedHistoryStoreContract} asks for. */
    public SharedHistoryStore otherNode(SharedHistoryStore node) {
        return (SharedHistoryStore) secondNode(node);
    }

    @Test
    void restart_replaysFromAnOldIdLosingNothing() {
        HistoryStore store = create();
        String before = append(store, "1", "a");
        append(store, "2", "a");
        append(store, "3", "a");
        store.close();
        try (HistoryStore again = reopen(store)) {
            Replay r = read(again, before, "a");
            assertTrue(r.afterIdFound());
            assertEquals(List.of("2", "3"), data(r));
            String next = append(again, "4", "a");
            assertEquals(next, again.latestId().orElseThrow());
            assertEquals(List.of("2", "3", "4"), data(read(again, before, "a")));
        }
    }
}
