package dev.ssekit.testsupport;

import dev.ssekit.testkit.EventStreamParser;
import dev.ssekit.testkit.ReceivedEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An SSE client on a plain socket for byte-exact checks: it sends a GET, de-chunks the body, keeps
 * every byte for assertions, and parses events with the test kit's WHATWG parser. Tests that need
 * no bytes use the kit's {@link dev.ssekit.testkit.SseRecorder}.
 */
public final class RawSseClient implements AutoCloseable {
    /** One parsed event. */
    public record Received(String id, String type, String data, Long retry) {
    }

    private final Socket socket;
    private final Thread reader;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final BlockingQueue<Received> events = new LinkedBlockingQueue<>();
    private final CountDownLatch headersRead = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean endedCleanly;
    private volatile int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private volatile int comments; // written by the reader thread only
    private volatile Throwable failure;

    private RawSseClient(Socket socket) {
        this.socket = socket;
        this.reader = new Thread(this::read, "raw-sse-client");
        this.reader.setDaemon(true);
    }

    /**
     * Opens {@code GET path} on the server of {@code base} with extra request headers.
     *
     * @param base          the server's base URI (only host and port are used)
     * @param pathAndQuery  the request target, e.g. {@code /.well-known/mercure?topic=a}
     * @param requestHeaders header name to value
     */
    public static RawSseClient open(URI base, String pathAndQuery, Map<String, String> requestHeaders)
            throws IOException {
        return open(base, "GET", pathAndQuery, requestHeaders, null);
    }

    /**
     * Opens a stream with any method, such as {@code QUERY} with a form body.
     *
     * @param body the request body, sent with its {@code Content-Length}; null for none
     */
    public static RawSseClient open(URI base, String method, String pathAndQuery, Map<String, String> requestHeaders,
                                    String body) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
        StringBuilder req = new StringBuilder(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(base.getPort()).append("\r\n")
                .append("Accept: text/event-stream\r\n");
        requestHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            req.append("Content-Length: ").append(content.length).append("\r\n");
        }
        req.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
        out.write(content);
        out.flush();
        RawSseClient client = new RawSseClient(socket);
        client.reader.start();
        return client;
    }

    /** Opens {@code GET path} with no extra headers. */
    public static RawSseClient open(URI base, String pathAndQuery) throws IOException {
        return open(base, pathAndQuery, Map.of());
    }

    /** Waits for the status line and headers; returns the status. */
    public int awaitStatus(Duration timeout) throws InterruptedException {
        if (!headersRead.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no response headers within " + timeout);
        }
        return status;
    }

    /** @return a response header by name (case-insensitive), or null */
    public String header(String name) {
        synchronized (headers) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Takes the next event, failing after {@code timeout}. */
    public Received next(Duration timeout) throws InterruptedException {
        Received r = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no event within " + timeout + "; received bytes so far:\n" + rawText());
        }
        return r;
    }

    /** Takes {@code n} events. */
    public List<Received> next(int n, Duration timeout) throws InterruptedException {
        List<Received> out = new ArrayList<>(n);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            Received r = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("got " + out.size() + " of " + n + " events within " + timeout);
            }
            out.add(r);
        }
        return out;
    }

    /** @return the events received and not yet taken */
    public List<Received> drain() {
        List<Received> out = new ArrayList<>();
        events.drainTo(out);
        return out;
    }

    /** @return comment lines seen so far */
    public int comments() {
        return comments;
    }

    /** Waits until the server ends the stream; returns false on timeout. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * @return true if the server ended the stream properly (the last chunk of a chunked response, or
     *         end of stream without an error), rather than the connection breaking
     */
    public boolean endedCleanly() {
        return isEnded() && endedCleanly;
    }

    /** @return true once the stream has ended */
    public boolean isEnded() {
        return ended.getCount() == 0;
    }

    /** @return the de-chunked body bytes so far, as UTF-8 text */
    public String rawText() {
        synchronized (raw) {
            return raw.toString(StandardCharsets.UTF_8);
        }
    }

    /** @return the failure that ended reading, if any */
    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that failed: nothing left to release
        }
    }

    private void read() {
        try (InputStream in = socket.getInputStream()) {
            String statusLine = RawHttp.line(in);
            if (statusLine == null) {
                return;
            }
            status = Integer.parseInt(statusLine.split(" ")[1]);
            String line;
            while ((line = RawHttp.line(in)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                synchronized (headers) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            headersRead.countDown();
            boolean chunked = "chunked".equalsIgnoreCase(header("Transfer-Encoding"));
            EventStreamParser parser = parser();
            if (chunked) {
                while (true) {
                    String size = RawHttp.line(in);
                    if (size == null) {
                        break;
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        endedCleanly = true; // the last chunk: the server ended the response properly
                        break;
                    }
                    byte[] chunk = in.readNBytes(n);
                    feed(parser, chunk, chunk.length);
                    RawHttp.line(in);
                }
            } else {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    feed(parser, buf, n);
                }
                endedCleanly = true;
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            headersRead.countDown();
            ended.countDown();
        }
    }

    private void feed(EventStreamParser parser, byte[] bytes, int n) {
        synchronized (raw) {
            raw.write(bytes, 0, n);
        }
        parser.feed(bytes, 0, n);
    }

    /** The test kit's WHATWG parser, its events queued as {@link Received}. */
    private EventStreamParser parser() {
        return new EventStreamParser(new EventStreamParser.Handler() {
            @Override
            public void event(ReceivedEvent e) {
                events.add(new Received(e.id(), e.type(), e.data(), e.retry()));
            }

            @Override
            public void comment(String text) {
                comments++;
            }
        });
    }
}
