package dev.ssekit.testkit;

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
 * An SSE client on a plain socket: it sends a GET, de-chunks the body, keeps every byte for
 * assertions, and parses events by the WHATWG rules (CR, LF and CRLF line ends, one optional space
 * after the colon, comments ignored, an event dispatched on a blank line when data was seen).
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
    private volatile String lastEventId = "";
    private volatile int comments;
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
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
        StringBuilder req = new StringBuilder("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(base.getPort()).append("\r\n")
                .append("Accept: text/event-stream\r\n");
        requestHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.UTF_8));
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
            Parser parser = new Parser();
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

    private void feed(Parser parser, byte[] bytes, int n) {
        synchronized (raw) {
            raw.write(bytes, 0, n);
        }
        parser.feed(new String(bytes, 0, n, StandardCharsets.UTF_8));
    }

    /** The WHATWG event-stream interpretation, fed text as it arrives (chunks never split UTF-8 here). */
    private final class Parser {
        private final StringBuilder pending = new StringBuilder();
        private final StringBuilder data = new StringBuilder();
        private boolean sawData;
        private String type = "";
        private Long retry;
        private boolean lastWasCr;

        void feed(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' && lastWasCr) {
                    lastWasCr = false;
                    continue;
                }
                lastWasCr = c == '\r';
                if (c == '\r' || c == '\n') {
                    line(pending.toString());
                    pending.setLength(0);
                } else {
                    pending.append(c);
                }
            }
        }

        private void line(String line) {
            if (line.isEmpty()) {
                if (sawData) {
                    String d = data.length() > 0 && data.charAt(data.length() - 1) == '\n'
                            ? data.substring(0, data.length() - 1) : data.toString();
                    events.add(new Received(lastEventId.isEmpty() ? null : lastEventId,
                            type.isEmpty() ? null : type, d, retry));
                }
                data.setLength(0);
                sawData = false;
                type = "";
                retry = null;
                return;
            }
            if (line.charAt(0) == ':') {
                comments++;
                return;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    data.append(value).append('\n');
                    sawData = true;
                }
                case "event" -> type = value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        lastEventId = value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                        retry = Long.parseLong(value);
                    }
                }
                default -> {
                    // unknown fields are ignored, as the standard says
                }
            }
        }
    }
}
