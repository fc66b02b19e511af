package dev.ssekit.testsupport;

import dev.ssekit.Event;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.spi.TopicMatcher;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A store that passes every call to another: tests override the calls they gate, hold or fail. */
public abstract class ForwardingStore implements HistoryStore {
    protected final HistoryStore delegate;

    protected ForwardingStore(HistoryStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public List<Event> append(List<Entry> batch) {
        return delegate.append(batch);
    }

    @Override
    public int batchKey(Entry entry) {
        return delegate.batchKey(entry);
    }

    @Override
    public Replay read(Set<String> topics, String afterId, String untilId) {
        return delegate.read(topics, afterId, untilId);
    }

    @Override
    public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
        return delegate.readMatching(matcher, afterId, untilId);
    }

    @Override
    public Optional<String> latestId() {
        return delegate.latestId();
    }

    @Override
    public void check() {
        delegate.check();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
