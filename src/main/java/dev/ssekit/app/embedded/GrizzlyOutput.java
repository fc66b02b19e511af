package dev.ssekit.app.embedded;

import dev.ssekit.internal.conn.NonBlockingOutput;
import dev.ssekit.internal.conn.Served;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.TaskQueue;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.io.NIOOutputStream;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.BuffersBuffer;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.nio.NIOConnection;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Grizzly's non-blocking output for one stream of the embedded hub: what lets a client that stops
 * reading hold no thread, and a cut close its socket at once.
 *
 * <p>Grizzly takes writes into its asynchronous write queue until the queue passes the connection's
 * limit ({@code canWrite()} then turns false; several MB by default, set to {@link #MAX_PENDING}
 * here), and {@code terminateSilently()} closes the connection dropping the queue, where ending the
 * response would first wait for the client to read it all. The socket's send buffer is bounded too
 * ({@link #SEND_BUFFER}), so what a client that stopped reading holds in the kernel is bounded.
 *
 * <p>Where {@link DetachedStreams} is installed, the stream {@linkplain #detach(Runnable) detaches} from its
 * request once Jersey is done with it and the head is out, whether or not anything follows: Grizzly completes the request (writing nothing: the response is
 * told to expect no more content) and recycles it, Jersey lets go of its own, and this output
 * writes the body's chunks on the connection itself. An idle stream then costs Grizzly its
 * connection only, not a suspended request.
 */
final class GrizzlyOutput implements NonBlockingOutput, WriteHandler, CloseListener<Closeable, ICloseType> {
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

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    private Serving serving; // null once detached: Grizzly recycles the request
    private final Connection<?> connection;
    /** The connection's socket and Grizzly's write queue for it, for direct writes; null if not plain TCP. */
    private final SocketChannel socket;
    private final TaskQueue<?> writeQueue;
    private final MemoryManager memory;
    private NIOOutputStream out; // null once detached
    private DetachedStreams detached; // set once detached
    private volatile boolean ended;
    private Listener listener;
    private boolean waiting; // notifyCanWrite takes one handler at a time

    /** A request while Jersey serves it; {@code served} once Jersey has returned it to Grizzly. */
    private static final class Serving {
        final Request request;
        final Served served = new Served();

        Serving(Request request) {
            this.request = request;
        }
    }

    private GrizzlyOutput(Serving serving) {
        this.serving = serving;
        this.connection = serving.request.getContext().getConnection();
        this.memory = connection.getMemoryManager();
        if (connection instanceof NIOConnection nio && nio.getChannel() instanceof SocketChannel channel
                && writesPlainBytes(connection)) {
            this.socket = channel;
            this.writeQueue = nio.getAsyncWriteQueue();
        } else {
            this.socket = null;
            this.writeQueue = null;
        }
        this.out = serving.request.getResponse().getNIOOutputStream();
    }

    /**
     * @return whether the connection's filter chain writes what it is given as it is: no TLS, no
     *         HTTP/2 framing, which a write straight to the socket would bypass
     */
    private static boolean writesPlainBytes(Connection<?> connection) {
        org.glassfish.grizzly.Processor<?> processor = connection.getProcessor() != null ? connection.getProcessor()
                : connection.getTransport().getProcessor(); // a connection without its own takes the transport's
        if (!(processor instanceof org.glassfish.grizzly.filterchain.FilterChain chain)) {
            return false;
        }
        for (org.glassfish.grizzly.filterchain.Filter filter : chain) {
            String name = filter.getClass().getName();
            if (filter instanceof org.glassfish.grizzly.ssl.SSLBaseFilter || name.contains("Http2")) {
                return false;
            }
        }
        return true;
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
            s.served.mark();
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
    public void whenServed(Runnable served) {
        serving.served.then(served);
    }

    @Override
    public void listen(Listener value) throws IOException {
        this.listener = value;
        connection.setMaxAsyncWriteQueueSize(MAX_PENDING);
        if (socket != null) {
            socket.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
        }
    }

    @Override
    public Optional<Detached> detach(Runnable completeRequest) throws IOException {
        DetachedStreams streams = DetachedStreams.of(connection);
        HttpResponsePacket response = serving.request.getResponse().getResponse();
        // Only a chunked response on a kept-alive connection: its body's end is ours to write, and
        // the connection stays open once Grizzly has completed the request.
        if (streams == null || !response.isCommitted() || !response.isChunked()
                || !response.getProcessingState().isKeepAlive()) {
            return Optional.empty();
        }
        out.flush();
        streams.detach(connection);
        response.setExpectContent(false); // the request's completion writes no last chunk
        connection.addCloseListener(this);
        detached = streams;
        out = null;
        serving = null;
        // Here, on the writer's thread, not on Grizzly's workers: a burst of handoffs would start a
        // worker thread each. The request's objects go to this thread's cache (Grizzly keeps up to
        // 16 a thread): bounded by the writer threads, not by the streams.
        completeRequest.run();
        return Optional.of(this::endBody);
    }

    @Override
    public boolean isReady() {
        boolean can = detached != null ? connection.canWrite() : out.canWrite();
        if (can) {
            return true;
        }
        if (!waiting) {
            waiting = true;
            if (detached != null) {
                connection.notifyCanWrite(this);
            } else {
                out.notifyCanWrite(this);
            }
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
        // The frames wrapped, not copied, and handed over as one buffer that Grizzly writes with one
        // gathering write. Copying into its own buffer allocated a buffer of the response's size per
        // write, the largest share of the fan-out's time in Grizzly (bench run S). One call, as one
        // array was before: a second call may flush and block while the client cannot take more.
        if (detached == null) {
            out.write(gather(frames, null, 0));
            return;
        }
        int length = 0;
        for (byte[] f : frames) {
            length += f.length;
        }
        if (length == 0) { // an empty chunk would end the body
            return;
        }
        byte[] chunkSize = (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        if (socket != null && writeQueue.spaceInBytes() == 0) {
            writeDirect(frames, chunkSize);
        } else {
            writeRaw(gather(frames, chunkSize, length));
        }
    }

    /**
     * Writes one chunk straight to the socket, with one gathering write, when Grizzly has nothing
     * queued for it (so nothing else writes to it: this stream's writes come one at a time); what the
     * socket does not take goes to Grizzly's queue, which then writes it and every later chunk in
     * order. Through Grizzly's filter chain each write cost a filter-chain context, a queue record
     * and attribute look-ups: with 5,000 streams at 20 events/s, twice the writer threads' time of
     * the socket writes themselves (a JFR profile of bench (b)).
     */
    private void writeDirect(List<byte[]> frames, byte[] chunkSize) throws IOException {
        ByteBuffer[] parts = new ByteBuffer[frames.size() + 2];
        parts[0] = ByteBuffer.wrap(chunkSize);
        for (int i = 0; i < frames.size(); i++) {
            parts[i + 1] = ByteBuffer.wrap(frames.get(i));
        }
        parts[parts.length - 1] = ByteBuffer.wrap(CRLF);
        try {
            socket.write(parts);
        } catch (IOException e) {
            connection.closeSilently(); // as Grizzly does when its own write fails
            throw e;
        }
        int left = 0;
        while (left < parts.length && !parts[left].hasRemaining()) {
            left++;
        }
        if (left == parts.length) {
            return;
        }
        Buffer[] rest = new Buffer[parts.length - left];
        for (int i = left; i < parts.length; i++) {
            rest[i - left] = Buffers.wrap(memory, parts[i]);
            rest[i - left].allowBufferDispose(false);
        }
        writeRaw(rest.length == 1 ? rest[0] : BuffersBuffer.create(memory, rest));
    }

    /** The frames as one buffer, framed as one chunk of {@code length} bytes when {@code chunkSize} is given. */
    private Buffer gather(List<byte[]> frames, byte[] chunkSize, int length) {
        int n = frames.size() + (chunkSize == null ? 0 : 2);
        if (n == 1) {
            return shared(frames.get(0));
        }
        Buffer[] parts = new Buffer[n];
        int at = 0;
        if (chunkSize != null) {
            parts[at++] = Buffers.wrap(memory, chunkSize);
        }
        for (byte[] f : frames) {
            parts[at++] = shared(f);
        }
        if (chunkSize != null) {
            parts[at] = shared(CRLF);
        }
        return BuffersBuffer.create(memory, parts);
    }

    /** {@code bytes} wrapped, never given back to a pool: they are shared by every stream. */
    private Buffer shared(byte[] bytes) {
        Buffer wrapped = Buffers.wrap(memory, bytes);
        wrapped.allowBufferDispose(false);
        return wrapped;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void writeRaw(Buffer buffer) {
        ((Connection) connection).write(buffer, new CompletionHandler<WriteResult>() {
            @Override
            public void cancelled() {
                failed(new IOException("the write was cancelled"));
            }

            @Override
            public void failed(Throwable error) {
                if (!ended) {
                    listener.onError(error);
                }
            }

            @Override
            public void completed(WriteResult result) {
            }

            @Override
            public void updated(WriteResult result) {
            }
        });
    }

    @Override
    public void flush() throws IOException {
        if (detached == null) {
            out.flush();
        }
        // Detached, every write is already on the connection's write queue.
    }

    /** Ends a detached stream's body: the last chunk, then the connection is Grizzly's again. */
    private void endBody() {
        ended = true;
        connection.removeCloseListener(this);
        writeRaw(shared(LAST_CHUNK));
        detached.reattach(connection);
    }

    @Override
    public void onClosed(Closeable closeable, ICloseType type) {
        if (!ended) {
            listener.onError(new EOFException("the client's connection closed"));
        }
    }

    @Override
    public boolean terminate() {
        ended = true;
        connection.terminateSilently();
        return true;
    }

    @Override
    public String toString() {
        return "GrizzlyOutput{" + connection.getPeerAddress() + "}";
    }
}
