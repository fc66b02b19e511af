package dev.ssekit.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A non-blocking SSE client for many connections on one selector thread: HTTP/1.1 with chunked
 * transfer decoding, SSE line parsing, and per event the {@code seq} and {@code sent} fields of the
 * {@link Payload} JSON, from which it counts deliveries, gaps and duplicates and records latency.
 */
final class SseClient implements AutoCloseable {
    private static final int MAX_CONNECTING = 256;
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SENT = "\"sent\":".getBytes(StandardCharsets.US_ASCII);
    /** The seq of an event whose data has none. */
    static final long UNORDERED = Long.MIN_VALUE + 1;

    private final InetSocketAddress server;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    private volatile boolean running = true;

    // Written by the selector thread, read by the driver.
    private volatile AtomicLongArray received = new AtomicLongArray(0);
    final AtomicLong ready = new AtomicLong();
    final AtomicLong events = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong closedByServer = new AtomicLong();
    final AtomicLong badStatus = new AtomicLong();
    volatile long lastEventNanos;
    private final Latencies latencies = new Latencies();

    // Selector thread only.
    private final List<Conn> conns = new ArrayList<>();
    private final ArrayList<Conn> waiting = new ArrayList<>();
    private int waitingNext;
    private int connecting;

    SseClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.selector = Selector.open();
        this.thread = new Thread(this::loop, "sse-client");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Opens {@code n} connections to {@code path}; they connect in the background, a few hundred at a time. */
    void open(int n, String path, String lastEventId) {
        open(server, n, path, lastEventId);
    }

    /** As {@link #open(int, String, String)}, to another server (the raw NIO baseline's port). */
    void open(InetSocketAddress to, int n, String path, String lastEventId) {
        open(to, n, List.of(path), lastEventId);
    }

    /** Opens {@code n} connections to each of {@code paths}: {@link #minReceived} then covers them all. */
    void open(int n, List<String> paths, String lastEventId) {
        open(server, n, paths, lastEventId);
    }

    private void open(InetSocketAddress to, int n, List<String> paths, String lastEventId) {
        AtomicLongArray counts = new AtomicLongArray(n * paths.size());
        received = counts;
        run(() -> {
            for (String path : paths) {
                for (int i = 0; i < n; i++) {
                    Conn c = new Conn(conns.size(), to, request(to, path, lastEventId));
                    conns.add(c);
                    waiting.add(c);
                }
            }
            startWaiting();
        });
    }

    /** @return events received by connection {@code i} of the last {@link #open} */
    long received(int i) {
        return received.get(i);
    }

    /** @return the fewest events any connection of the last {@link #open} has received */
    long minReceived() {
        AtomicLongArray r = received;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < r.length(); i++) {
            min = Math.min(min, r.get(i));
        }
        return r.length() == 0 ? 0 : min;
    }

    /** Closes every connection (with a reset, so no TIME_WAIT is left) and clears the counters. */
    void closeAll() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        run(() -> {
            for (Conn c : conns) {
                c.close();
            }
            conns.clear();
            waiting.clear();
            waitingNext = 0;
            connecting = 0;
            done.countDown();
        });
        done.await();
        ready.set(0);
        events.set(0);
        gaps.set(0);
        duplicates.set(0);
        errors.set(0);
        closedByServer.set(0);
        badStatus.set(0);
        latencies.reset();
    }

    /** @return the latencies recorded since the last reset, in microseconds, sorted */
    int[] latenciesMicros() {
        return latencies.sorted();
    }

    void resetLatencies() {
        latencies.reset();
    }

    private static byte[] request(InetSocketAddress to, String path, String lastEventId) {
        String r = "GET " + path + " HTTP/1.1\r\nHost: " + to.getHostString() + ":" + to.getPort()
                + "\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n";
        return r.getBytes(StandardCharsets.US_ASCII);
    }

    private void run(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void startWaiting() {
        while (connecting < MAX_CONNECTING && waitingNext < waiting.size()) {
            Conn c = waiting.get(waitingNext++);
            connecting++;
            try {
                SocketChannel ch = SocketChannel.open();
                c.ch = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (ch.connect(c.target)) {
                    connected(c, ch.register(selector, 0, c));
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                }
            } catch (IOException e) {
                failed(c);
            }
        }
        if (waitingNext == waiting.size()) {
            waiting.clear();
            waitingNext = 0;
        }
    }

    private void connected(Conn c, SelectionKey key) throws IOException {
        ByteBuffer req = ByteBuffer.wrap(c.request);
        while (req.hasRemaining()) {
            if (c.ch.write(req) == 0) {
                throw new IOException("request not written at once");
            }
        }
        c.request = null;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void failed(Conn c) {
        errors.incrementAndGet();
        if (c.phase == Conn.CONNECTING) {
            connecting--;
        }
        c.close();
    }

    private void loop() {
        while (running) {
            try {
                selector.select(100);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                long now = System.nanoTime();
                var keys = selector.selectedKeys();
                for (SelectionKey key : keys) {
                    Conn c = (Conn) key.attachment();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isConnectable()) {
                            c.ch.finishConnect();
                            connected(c, key);
                        } else if (key.isReadable()) {
                            read(c, now);
                        }
                    } catch (IOException | RuntimeException e) {
                        failed(c);
                    }
                }
                keys.clear();
                startWaiting();
            } catch (IOException e) {
                errors.incrementAndGet();
            }
        }
    }

    private void read(Conn c, long now) throws IOException {
        while (true) {
            buffer.clear();
            int n = c.ch.read(buffer);
            if (n < 0) {
                closedByServer.incrementAndGet();
                if (c.phase == Conn.CONNECTING) {
                    connecting--;
                }
                c.close();
                return;
            }
            if (n == 0) {
                return;
            }
            c.feed(this, buffer.array(), n, now);
            if (n < buffer.capacity() || c.phase == Conn.DONE) {
                return;
            }
        }
    }

    // Called by Conn on the selector thread.
    void headersDone(Conn c, boolean ok) {
        connecting--;
        if (!ok) {
            badStatus.incrementAndGet();
        }
    }

    /** The server ended a stream with the last chunk: counted as closed by the server, and closed here. */
    void ended(Conn c) {
        closedByServer.incrementAndGet();
        c.close();
    }

    void firstBlock() {
        ready.incrementAndGet();
    }

    void event(Conn c, long seq, long sent, long now) {
        if (seq < 0 && seq != UNORDERED) {
            return;
        }
        AtomicLongArray r = received;
        if (seq == UNORDERED) {
            c.count++;
        } else if (seq == c.lastSeq + 1) {
            c.count++;
        } else if (seq > c.lastSeq) {
            gaps.addAndGet(seq - c.lastSeq - 1);
            c.count++;
        } else {
            duplicates.incrementAndGet();
            return;
        }
        if (seq != UNORDERED) {
            c.lastSeq = seq;
        }
        if (c.index < r.length()) {
            r.lazySet(c.index, c.count);
        }
        events.incrementAndGet();
        lastEventNanos = now;
        latencies.add((now - sent) / 1000);
    }

    @Override
    public void close() throws InterruptedException {
        closeAll();
        running = false;
        selector.wakeup();
        thread.join(2000);
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** One connection's parse state. */
    static final class Conn {
        static final int CONNECTING = 0;
        static final int CHUNK_SIZE = 1;
        static final int CHUNK_DATA = 2;
        static final int CHUNK_END = 3;
        static final int DONE = 4;

        final int index;
        byte[] request;
        final InetSocketAddress target;
        SocketChannel ch;
        int phase = CONNECTING;
        int headerMatch;
        int status;
        int statusDigits;
        int headerBytes;
        long chunkLeft;
        boolean sawBlock;
        byte[] line = new byte[64];
        int lineLen;
        long lineSeq = Long.MIN_VALUE;
        long lineSent;
        long lastSeq = -1;
        long count;

        Conn(int index, InetSocketAddress target, byte[] request) {
            this.index = index;
            this.target = target;
            this.request = request;
        }

        void close() {
            phase = DONE;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // gone anyway
                }
            }
        }

        void feed(SseClient client, byte[] b, int n, long now) {
            int i = 0;
            while (i < n) {
                switch (phase) {
                    case CONNECTING: {
                        byte x = b[i++];
                        headerBytes++;
                        // "HTTP/1.1 200": the status is bytes 9 to 11.
                        if (headerBytes >= 10 && headerBytes <= 12) {
                            status = status * 10 + (x - '0');
                        }
                        if ((headerMatch == 0 || headerMatch == 2) && x == '\r') {
                            headerMatch++;
                        } else if ((headerMatch == 1 || headerMatch == 3) && x == '\n') {
                            headerMatch++;
                        } else {
                            headerMatch = x == '\r' ? 1 : 0;
                        }
                        if (headerMatch == 4) {
                            client.headersDone(this, status == 200);
                            phase = status == 200 ? CHUNK_SIZE : DONE;
                            chunkLeft = 0;
                        }
                        break;
                    }
                    case CHUNK_SIZE: {
                        byte x = b[i++];
                        if (x == '\n') {
                            if (chunkLeft == 0) {
                                // Last chunk: the server ended the stream (and may keep the connection).
                                phase = DONE;
                                client.ended(this);
                                return;
                            } else {
                                phase = CHUNK_DATA;
                            }
                        } else if (x >= '0' && x <= '9') {
                            chunkLeft = chunkLeft * 16 + (x - '0');
                        } else if (x >= 'a' && x <= 'f') {
                            chunkLeft = chunkLeft * 16 + (x - 'a' + 10);
                        } else if (x >= 'A' && x <= 'F') {
                            chunkLeft = chunkLeft * 16 + (x - 'A' + 10);
                        }
                        break;
                    }
                    case CHUNK_DATA: {
                        int take = (int) Math.min(chunkLeft, n - i);
                        sse(client, b, i, take, now);
                        i += take;
                        chunkLeft -= take;
                        if (chunkLeft == 0) {
                            phase = CHUNK_END;
                            headerMatch = 0;
                        }
                        break;
                    }
                    case CHUNK_END: {
                        byte x = b[i++];
                        if (x == '\n') {
                            phase = CHUNK_SIZE;
                        }
                        break;
                    }
                    default:
                        return;
                }
            }
        }

        private void sse(SseClient client, byte[] b, int from, int len, long now) {
            int end = from + len;
            for (int i = from; i < end; i++) {
                byte x = b[i];
                if (x == '\n') {
                    endLine(client, now);
                } else {
                    if (lineLen == line.length) {
                        line = Arrays.copyOf(line, line.length * 2);
                    }
                    line[lineLen++] = x;
                }
            }
        }

        private void endLine(SseClient client, long now) {
            int len = lineLen;
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            lineLen = 0;
            if (len == 0) {
                if (!sawBlock) {
                    sawBlock = true;
                    client.firstBlock();
                }
                if (lineSeq != Long.MIN_VALUE) {
                    client.event(this, lineSeq, lineSent, now);
                    lineSeq = Long.MIN_VALUE;
                }
                return;
            }
            if (len > 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a' && line[4] == ':') {
                int s = indexOf(line, len, SEQ);
                int t = indexOf(line, len, SENT);
                if (t >= 0) {
                    // No seq (concurrent publishers have no common order): counted, not order-checked.
                    lineSeq = s >= 0 ? number(line, s + SEQ.length, len) : UNORDERED;
                    lineSent = number(line, t + SENT.length, len);
                }
            }
        }

        private static int indexOf(byte[] b, int len, byte[] what) {
            outer:
            for (int i = 0; i <= len - what.length; i++) {
                for (int j = 0; j < what.length; j++) {
                    if (b[i + j] != what[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        private static long number(byte[] b, int at, int len) {
            boolean neg = at < len && b[at] == '-';
            int i = neg ? at + 1 : at;
            long v = 0;
            while (i < len && b[i] >= '0' && b[i] <= '9') {
                v = v * 10 + (b[i++] - '0');
            }
            return neg ? -v : v;
        }
    }

    /** Latencies in microseconds, appended by the selector thread. */
    static final class Latencies {
        private int[] values = new int[1 << 16];
        private int size;

        synchronized void add(long micros) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, micros));
        }

        synchronized int[] sorted() {
            int[] copy = Arrays.copyOf(values, size);
            Arrays.sort(copy);
            return copy;
        }

        synchronized void reset() {
            values = new int[1 << 16];
            size = 0;
        }
    }
}
