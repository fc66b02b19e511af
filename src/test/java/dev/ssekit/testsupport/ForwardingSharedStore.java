package dev.ssekit.testsupport;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.SharedHistoryStore;

import java.util.Optional;

/** A shared store that passes every call to another: tests override the calls they gate, hold or fail. */
public abstract class ForwardingSharedStore extends ForwardingStore implements SharedHistoryStore {
    protected final SharedHistoryStore shared;

    protected ForwardingSharedStore(SharedHistoryStore delegate) {
        super((HistoryStore) delegate);
        this.shared = delegate;
    }

    @Override
    public Follower follow(AppendListener listener) {
        return shared.follow(listener);
    }

    @Override
    public Optional<String> latestPosition() {
        return shared.latestPosition();
    }

    @Override
    public int comparePositions(String a, String b) {
        return shared.comparePositions(a, b);
    }
}
