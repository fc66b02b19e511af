package dev.ssekit.internal.conn;

import dev.ssekit.internal.Checks;
import dev.ssekit.internal.wire.FramedEvent;

import jakarta.ws.rs.sse.SseEventSink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The portable transport: a JAX-RS {@link SseEventSink}. Its writes block while the client's
 * socket buffer is full (Jersey on Grizzly blocks inside {@code send}), so every write runs on a
 * writer thread, and a cut can only interrupt that thread and close the sink: whatever the
 * container itself still buffers for the client is beyond ssekit's reach.
 */
public final class SinkOutlet implements Outlet {
    private static final Logger LOG = Logger.getLogger(SinkOutlet.class.getName());

    private final SseEventSink sink;

    private SinkOutlet(SseEventSink sink) {
        this.sink = Checks.notNull(sink, "sink");
    }

    /** @return the outlet writing through {@code sink} */
    public static SinkOutlet of(SseEventSink sink) {
        return new SinkOutlet(sink);
    }

    @Override
    public CompletionStage<?> write(FramedEvent frames) {
        try {
            return sink.send(frames);
        } catch (RuntimeException e) {
            // Jersey throws IllegalStateException once the sink has closed.
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void end() {
        close();
    }

    @Override
    public void cut() {
        // Closing writes the stream's end, which blocks like any write on a client that stopped
        // reading (until the container's own timeout: 30 s on Grizzly). Interrupted before it can
        // block, Grizzly drops the connection at once instead.
        Thread.currentThread().interrupt();
        try {
            close();
        } finally {
            Thread.interrupted();
        }
    }

    private void close() {
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "ssekit: closing the sink failed; the client is gone anyway", e);
        }
    }

    @Override
    public boolean isClosed() {
        return sink.isClosed();
    }

    @Override
    public String toString() {
        return "SinkOutlet{" + sink.getClass().getSimpleName() + "}";
    }
}
