package dev.ssekit.internal.conn;

import jakarta.ws.rs.sse.SseEventSink;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Chooses a connection's transport: the container's non-blocking output where a host has told
 * ssekit how to reach it for the request being served ({@link #register}), else the JAX-RS sink.
 */
public final class Outlets {
    private static final List<Supplier<NonBlockingOutput>> SOURCES = new CopyOnWriteArrayList<>();

    private Outlets() {
    }

    /**
     * Adds a source of non-blocking outputs.
     *
     * @param source called on the thread that serves a request, when a connection opens; returns
     *               the request's output, or null where it has none
     * @return what removes the source again
     */
    public static Runnable register(Supplier<NonBlockingOutput> source) {
        SOURCES.add(source);
        return () -> SOURCES.remove(source);
    }

    /**
     * @param sink    the stream's JAX-RS sink
     * @param runtime the connection's threads, which hand the stream off to the container's output
     * @return the transport of a connection opened now, on the request's thread, for {@code sink}
     */
    public static Outlet forSink(SseEventSink sink, ConnRuntime runtime) {
        SinkOutlet head = SinkOutlet.of(sink);
        for (Supplier<NonBlockingOutput> source : SOURCES) {
            NonBlockingOutput output = source.get();
            if (output != null) {
                return new HandoffOutlet(head, output, task -> runtime.execute(null, task), runtime::blockingOutletOpened);
            }
        }
        runtime.blockingOutletOpened();
        return head;
    }
}
