package dev.ssekit.internal.conn;


import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A container's non-blocking output to one client, below JAX-RS: the Servlet API's
 * {@code ServletOutputStream} in async mode, or Grizzly's {@code NIOOutputStream}. It never blocks:
 * while the client does not read, {@link #isReady()} is false, and the listener is told when the
 * client's socket can take more.
 *
 * <p>Contract, as the Servlet API's: {@link #write} and {@link #flush} are called only right after
 * {@link #isReady()} returned true; once {@code isReady()} has returned false, the output calls
 * {@link Listener#onWritable()} exactly once when it can take more. Calls are never concurrent (the
 * caller holds one lock per output), but may come from any thread.
 */
public interface NonBlockingOutput {
    /** What the output tells its one caller. */
    interface Listener {
        /** The output can take more, after {@link #isReady()} returned false. */
        void onWritable();

        /** The client has gone or the output failed: nothing more can be written. */
        void onError(Throwable error);
    }

    /**
     * Runs {@code served} once the JAX-RS runtime is done with the request: it has written the
     * response's head, or will with the sink's first write, and whatever the sink was sent before,
     * and writes nothing on its own again. Until then writes go through the sink, which queues them
     * behind the head. Called once, on the thread that serves the request.
     *
     * @param served runs on the thread that finishes serving the request, while the container still
     *               has it in hand (or at once, if the runtime is done already): it must hand anything
     *               that ends the request to another thread
     */
    void whenServed(Runnable served);

    /** Sets the listener, once, before the first {@link #isReady()}. */
    void listen(Listener listener) throws IOException;

    /** @return true if {@link #write} may be called now; false promises a later {@code onWritable} */
    boolean isReady() throws IOException;

    /**
     * Hands {@code frames}, one event's bytes each, to the container in one write, which it writes as
     * the client's socket allows. The arrays are shared by every stream and never to be changed: a
     * container that gathers buffers takes them as they are; one that copies into its own buffer
     * joins them.
     */
    void write(List<byte[]> frames) throws IOException;

    /** Writes out what the container buffers, without waiting. */
    void flush() throws IOException;

    /**
     * Runs {@code writes}, which calls {@link #isReady}, {@link #write} and {@link #flush}, where the
     * container wants its output written: at once on the calling thread by default; on Undertow's
     * I/O thread of the connection, where a write that fails elsewhere makes Undertow close the
     * output in a task of its own that logs the failure at ERROR.
     */
    default void onWriteThread(Runnable writes) {
        writes.run();
    }

    /**
     * Runs a write through the JAX-RS sink where the container wants the stream's writes, once the
     * stream stays on the sink: on Undertow its connection's I/O thread (a write that fails there
     * ends the exchange without Undertow logging an error; on another thread Undertow closes the
     * output later, on that thread, and logs the failure at ERROR). The sink's write must not block
     * (RESTEasy's does not). Elsewhere {@code write} runs on the calling thread.
     *
     * @return the stage of the write
     */
    default java.util.concurrent.CompletionStage<?> sinkWrite(
            java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> write) {
        return write.get();
    }

    /**
     * Closes the client's connection at once, dropping whatever the container still holds for it.
     *
     * @return false if this container offers no such close (the stream then ends normally, and the
     *         container keeps its pending bytes until the client reads them or its own timeout)
     */
    boolean terminate();

    /**
     * Lets the container finish its request while the client's connection stays open, so that what
     * it keeps per request (its request and response objects, the JAX-RS runtime's) is freed for the
     * rest of the stream: from now on this output writes the response body's framing itself, and the
     * container writes nothing more. Called once, right after {@link #listen}, under the caller's
     * lock.
     *
     * @param completeRequest closes the JAX-RS sink, which completes the container's request without
     *                        a byte on the wire once detached; the output runs it (on a thread of its
     *                        choosing) if and only if it detaches
     * @return how the detached stream ends; empty where the container cannot (the default): the
     *         request then stays open until the stream ends
     * @throws IOException if the client's connection failed
     */
    default Optional<Detached> detach(Runnable completeRequest) throws IOException {
        return Optional.empty();
    }

    /** A stream {@linkplain #detach detached} from its request: the output ends its body itself. */
    @FunctionalInterface
    interface Detached {
        /** Ends the body after what was written: the response is complete, the connection the container's again. */
        void end();
    }
}
