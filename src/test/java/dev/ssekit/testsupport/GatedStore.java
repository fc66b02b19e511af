package dev.ssekit.testsupport;

import dev.ssekit.Event;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.Replay;
import dev.ssekit.spi.TopicMatcher;

import java.util.List;
import java.util.Set;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A store whose reads, or first append, wait at a gate, as a slow remote store would, so a test can
 * act meanwhile. It records the size of every batch appended.
 */
public final class GatedStore extends ForwardingStore {
    /** Counted down when a read starts. */
    public final CountDownLatch readStarted = new CountDownLatch(1);
    /** Reads wait until this is counted down. */
    public final CountDownLatch gate = new CountDownLatch(1);
    /** Counted down when the first append starts, once {@link #gateFirstAppend()} was called. */
    public final CountDownLatch appendStarted = new CountDownLatch(1);
    /** The size of every batch appended, in order. */
    public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private volatile boolean gated;
    private volatile boolean appendGated;

    public GatedStore(HistoryStore delegate) {
        super(delegate);
    }

    /** From now on, reads wait at the gate. */
    public void closeGate() {
        gated = true;
    }

    /** The first append from now on waits at the gate. */
    public void gateFirstAppend() {
        appendGated = true;
    }

    @Override
    public List<Event> append(List<Entry> batch) {
        batchSizes.add(batch.size());
        if (appendGated && batchSizes.size() == 1) {
            appendStarted.countDown();
            await();
        }
        return delegate.append(batch);
    }

    private void await() {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Replay read(Set<String> topics, String afterId, String untilId) {
        if (gated) {
            readStarted.countDown();
            await();
        }
        return delegate.read(topics, afterId, untilId);
    }

    @Override
    public Replay readMatching(TopicMatcher matcher, String afterId, String untilId) {
        if (gated) {
            readStarted.countDown();
            await();
        }
        return delegate.readMatching(matcher, afterId, untilId);
    }
}
