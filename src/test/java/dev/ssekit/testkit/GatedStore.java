package dev.ssekit.testkit;

import dev.ssekit.Event;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.Replay;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import java.util.concurrent.CountDownLatch;

/** A store whose reads wait at a gate, as a slow remote store would, so a test can act meanwhile. */
public final class GatedStore implements HistoryStore {
    private final HistoryStore delegate;
    /** Counted down when a read starts. */
    public final CountDownLatch readStarted = new CountDownLatch(1);
    /** Reads wait until this is counted down. */
    public final CountDownLatch gate = new CountDownLatch(1);
    private volatile boolean gated;

    public GatedStore(HistoryStore delegate) {
        this.delegate = delegate;
    }

    /** From now on, reads wait at the gate. */
    public void closeGate() {
        gated = true;
    }

    @Override
    public List<Event> append(List<Entry> batch) {
        return delegate.append(batch);
    }

    @Override
    public Replay read(Set<String> topics, String afterId, String untilId) {
        if (gated) {
            readStarted.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return delegate.read(topics, afterId, untilId);
    }

    @Override
    public Optional<String> latestId() {
        return delegate.latestId();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
