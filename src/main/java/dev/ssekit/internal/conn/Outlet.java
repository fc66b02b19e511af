package dev.ssekit.internal.conn;

import dev.ssekit.internal.wire.FramedEvent;

import java.util.concurrent.CompletionStage;

/**
 * Where one connection's frames go: the transport beneath a {@link Connection}. The connection
 * decides what to write and when (its queue, its limits, heartbeats, replay); the outlet only
 * moves bytes to the client.
 *
 * <p>Contract: the connection calls {@link #write} from one thread at a time and never again before
 * the stage of the previous write has completed. A blocking outlet (a JAX-RS sink) may block in
 * {@code write} until the client takes the bytes; a non-blocking one returns at once and completes
 * the stage when the client's socket has taken them, so that a client that stops reading holds no
 * thread.
 */
public interface Outlet {
    /**
     * Writes and flushes {@code frames}: one event, or a {@link dev.ssekit.internal.wire.FrameBatch}
     * of several.
     *
     * @return a stage completed once the bytes are written, or failed if the client is gone
     */
    CompletionStage<?> write(FramedEvent frames);

    /** Ends the stream after what has been written: the response completes normally. */
    void end();

    /**
     * Ends the stream at once: what the transport still holds for the client is dropped and its
     * socket closed, as far as the transport can (a JAX-RS sink can only be closed). Called instead
     * of {@link #end()}, possibly while a write is in flight.
     */
    void cut();

    /** @return true if the transport has seen the stream end, e.g. the client went away */
    boolean isClosed();

    /**
     * @return true if {@link #write} now returns at once whatever the client does, so that the
     *         connection's drain may share a writer task with other connections' ({@link Drains})
     */
    default boolean neverBlocks() {
        return false;
    }
}
