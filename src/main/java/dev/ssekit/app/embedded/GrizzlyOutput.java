package dev.ssekit.app.embedded;

import dev.ssekit.internal.conn.NonBlockingOutput;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.http.io.NIOOutputStream;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.BuffersBuffer;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.nio.NIOConnection;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Grizzly's non-blocking output for one stream of the embedded hub: what lets a client that stops
 * reading hold no thread, and a cut close its socket at once.
 *
 * <p>Grizzly takes writes into its asynchronous write queue until the queue passes the connection's
 * limit ({@code canWrite()} then turns false; several MB by default, set to {@link #MAX_PENDING}
 * here), and {@code terminateSilently()} closes the connection dropping the queue, where ending the
 * response would first wait for the client to read it all. The socket's send buffer is bounded too
 * ({@link #SEND_BUFFER}), so what a client that stopped reading holds in the kernel is bounded.
 */
final class GrizzlyOutput implements NonBlockingOutput, WriteHandler {
    /** What Grizzly may queue for one client before it says the client cannot take more. */
    static final int MAX_PENDING = 64 * 1024;
    /**
     * The socket's send buffer (the kernel doubles it). Left to the kernel, a loopback or LAN socket
     * whose client does not read grows it to {@code net.ipv4.tcp_wmem}'s maximum (4 MiB here): a
     * thousand stalled clients were 4 GiB of kernel memory, and the copying into them starved the
     * healthy readers. 64 KiB still lets one client take 1.3 MB/s at 100 ms round trip.
     */
    static final int SEND_BUFFER = 64 * 1024;
    private static final ThreadLocal<Serving> SERVING = new ThreadLocal<>();

    private final Serving serving;
    private final Connection<?> connection;
    private final NIOOutputStream out;
    private final MemoryManager memory;
    private Listener listener;
    private boolean waiting; // notifyCanWrite takes one handler at a time

    /** A request while Jersey serves it; {@code done} once Jersey has returned it to Grizzly. */
    private static final class Serving {
        final Request request;
        volatile boolean done;

        Serving(Request request) {
            this.request = request;
        }
    }

    private GrizzlyOutput(Serving serving) {
        this.serving = serving;
        this.connection = serving.request.getContext().getConnection();
        this.out = serving.request.getResponse().getNIOOutputStream();
        this.memory = serving.request.getContext().getMemoryManager();
    }

    /**
     * Runs {@code service} (Jersey) for {@code request}, whose streams then get this output. When it
     * returns, Jersey has written the stream's head and what its sink was sent meanwhile.
     */
    static void serving(Request request, Service service) throws Exception {
        Serving s = new Serving(request);
        SERVING.set(s);
        try {
            service.run();
        } finally {
            SERVING.remove();
            s.done = true;
        }
    }

    /** What {@link #serving} runs. */
    @FunctionalInterface
    interface Service {
        void run() throws Exception;
    }

    /** @return the output of the request this thread serves, or null outside a request */
    static NonBlockingOutput current() {
        Serving s = SERVING.get();
        return s == null ? null : new GrizzlyOutput(s);
    }

    @Override
    public boolean headWritten() {
        return serving.done;
    }

    @Override
    public void listen(Listener value) throws IOException {
        this.listener = value;
        connection.setMaxAsyncWriteQueueSize(MAX_PENDING);
        if (connection instanceof NIOConnection nio && nio.getChannel() instanceof SocketChannel socket) {
            socket.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
        }
    }

    @Override
    public boolean isReady() {
        if (out.canWrite()) {
            return true;
        }
        if (!waiting) {
            waiting = true;
            out.notifyCanWrite(this);
        }
        return false;
    }

    @Override
    public void onWritePossible() {
        waiting = false;
        listener.onWritable();
    }

    @Override
    public void onError(Throwable t) {
        waiting = false;
        listener.onError(t);
    }

    @Override
    public void write(List<byte[]> frames) throws IOException {
        // The frames wrapped, not copied, and handed over as one buffer: Grizzly's output writes it
        // with one gathering write at the flush. Copying into its own buffer allocated a buffer of the
        // response's size per write, the largest share of the fan-out's time in Grizzly. One call, as
        // one array was before: a second call may flush and block while the client cannot take more.
        Buffer[] parts = new Buffer[frames.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = Buffers.wrap(memory, frames.get(i));
            parts[i].allowBufferDispose(false); // shared by every stream
        }
        out.write(parts.length == 1 ? parts[0] : BuffersBuffer.create(memory, parts));
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public boolean terminate() {
        connection.terminateSilently();
        return true;
    }

    @Override
    public String toString() {
        return "GrizzlyOutput{" + connection.getPeerAddress() + "}";
    }
}
