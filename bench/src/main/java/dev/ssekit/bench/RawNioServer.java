package dev.ssekit.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The baseline the fan-out is held against (issue 19): an SSE server of one thread over
 * {@code java.nio}, no framework, no library. It answers any {@code GET} with an event stream
 * (HTTP/1.1, chunked, as the containers answer), and writes each published frame, built once, to
 * every stream when its socket takes it: a frame a socket does not take whole waits in that stream's
 * queue for {@code OP_WRITE}. With {@code batched}, everything published since the selector last woke
 * goes to a stream in one gathering write, as ssekit's transport writes a connection's queue.
 *
 * <p>What it leaves out, so that it is the floor rather than a rival: topics (one stream set), history,
 * heartbeats, authorization, bounds beyond a queue of {@value #MAX_QUEUED} frames per stream (past
 * which the stream is closed), and the JAX-RS request.
 */
final class RawNioServer implements AutoCloseable {
    private static final int MAX_QUEUED = 4096;
    private static final byte[] HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunk(":ok\n\n")).getBytes(StandardCharsets.US_ASCII);

    private final boolean batched;
    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<ByteBuffer> published = new ConcurrentLinkedQueue<>();
    private final List<Stream> streams = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger clients = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean endRequested;
    private volatile boolean closing;

    /** One subscriber: its request read so far, then the frames its socket has not taken yet. */
    private static final class Stream {
        final SocketChannel ch;
        final StringBuilder request = new StringBuilder();
        final ArrayDeque<ByteBuffer> queued = new ArrayDeque<>();
        boolean streaming;

        Stream(SocketChannel ch) {
            this.ch = ch;
        }
    }

    RawNioServer(boolean batched) throws IOException {
        this.batched = batched;
        this.selector = Selector.open();
        this.listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, batched ? "raw-nio-batched" : "raw-nio");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return listener.socket().getLocalPort();
    }

    /** Streams that have their head. */
    int clients() {
        return clients.get();
    }

    /** Queues one event for every stream; the selector thread writes it. */
    void publish(long seq, String json) {
        published.add(ByteBuffer.wrap(chunk("id: " + seq + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8)));
        selector.wakeup();
    }

    /** Closes every stream, so that the next step starts from nothing. */
    void endAll() {
        endRequested = true;
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        closing = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
    }

    private void loop() {
        ByteBuffer in = ByteBuffer.allocate(4096);
        List<ByteBuffer> fresh = new ArrayList<>();
        try {
            while (!closing) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read(key, in);
                    } else if (key.isWritable()) {
                        flush(key, (Stream) key.attachment());
                    }
                }
                fresh.clear();
                for (ByteBuffer b; (b = published.poll()) != null; ) {
                    fresh.add(b);
                }
                if (!fresh.isEmpty()) {
                    fanOut(fresh);
                }
                if (endRequested) {
                    endRequested = false;
                    for (int i = streams.size() - 1; i >= 0; i--) {
                        Stream s = streams.get(i);
                        drop(s.ch.keyFor(selector), s);
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("raw NIO server stopped: " + e);
        }
    }

    private void accept() throws IOException {
        for (SocketChannel ch; (ch = listener.accept()) != null; ) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ, new Stream(ch));
        }
    }

    private void read(SelectionKey key, ByteBuffer in) {
        Stream s = (Stream) key.attachment();
        in.clear();
        int n;
        try {
            n = s.ch.read(in);
        } catch (IOException e) {
            n = -1;
        }
        if (n < 0) {
            drop(key, s);
            return;
        }
        if (s.streaming) {
            return; // a subscriber sends nothing after its request
        }
        s.request.append(new String(in.array(), 0, n, StandardCharsets.ISO_8859_1));
        if (s.request.indexOf("\r\n\r\n") >= 0) {
            s.streaming = true;
            s.queued.add(ByteBuffer.wrap(HEAD));
            streams.add(s);
            clients.incrementAndGet();
            flush(key, s);
        }
    }

    /** Each frame goes to each stream: written now where the socket takes it, queued behind what waits. */
    private void fanOut(List<ByteBuffer> frames) {
        for (int i = streams.size() - 1; i >= 0; i--) {
            Stream s = streams.get(i);
            SelectionKey key = s.ch.keyFor(selector);
            if (key == null || !key.isValid()) {
                streams.remove(i);
                continue;
            }
            if (s.queued.size() + frames.size() > MAX_QUEUED) {
                drop(key, s);
                continue;
            }
            boolean wasIdle = s.queued.isEmpty();
            for (ByteBuffer f : frames) {
                s.queued.add(f.duplicate());
            }
            if (wasIdle) {
                flush(key, s);
            }
        }
    }

    /**
     * Writes what the stream has queued: in one gathering write ({@code batched}), or frame by frame,
     * one {@code write(2)} each, as a server without batching does.
     */
    private void flush(SelectionKey key, Stream s) {
        try {
            if (batched) {
                ByteBuffer[] all = s.queued.toArray(new ByteBuffer[0]);
                s.ch.write(all);
                while (!s.queued.isEmpty() && !s.queued.peekFirst().hasRemaining()) {
                    s.queued.pollFirst();
                }
            } else {
                while (!s.queued.isEmpty()) {
                    ByteBuffer b = s.queued.peekFirst();
                    s.ch.write(b);
                    if (b.hasRemaining()) {
                        break;
                    }
                    s.queued.pollFirst();
                }
            }
            key.interestOps(s.queued.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        } catch (IOException e) {
            drop(key, s);
        }
    }

    private void drop(SelectionKey key, Stream s) {
        if (key != null) {
            key.cancel();
        }
        if (streams.remove(s)) {
            clients.decrementAndGet();
        }
        try {
            s.ch.close();
        } catch (IOException e) {
            // gone either way
        }
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length).toUpperCase(Locale.ROOT)
                + "\r\n" + data + "\r\n";
    }
}
