package dev.ssekit.test;

import dev.ssekit.test.internal.EventStreamParser;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocketFactory;

/**
 * A test's client of one Server-Sent Events stream: it opens {@code GET uri} over HTTP/1.1, records
 * the events and comments the server sends (parsed by the WHATWG EventSource rules) and lets the test
 * take them in order, with bounded waits and assertions whose failure messages show what did arrive.
 *
 * <pre>{@code
 * try (SseRecorder events = SseRecorder.to(uri).open()) {
 *     assertEquals(200, events.status());
 *     String id = publish("hello");
 *     events.assertEvent(id, null, "hello");
 *     events.assertExhausted();
 * }
 * }</pre>
 *
 * <p>Every wait is bounded by the {@linkplain Builder#timeout(Duration) timeout} (30 s unless set);
 * a wait that runs out throws {@link AssertionError}. Events are taken in the order they arrived; each
 * is taken once. Heartbeats and other comments are kept apart from events, so they never get in the
 * way of {@link #assertEvent}.
 *
 * <p>Thread-safety: one test thread takes events; a reader thread of the recorder's own records them.
 * {@link #close()} may be called from any thread.
 */
public final class SseRecorder implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_QUIET = Duration.ofMillis(200);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final URI uri;
    private final Map<String, String> requestHeaders;
    private final Duration timeout;
    private final Duration quiet;
    private final Socket socket;

    // Guarded by this: what the reader thread recorded, and how far the test has taken it.
    private int status;
    private Map<String, List<String>> responseHeaders;
    private final List<ReceivedEvent> events = new ArrayList<>();
    private int eventsTaken;
    private final List<String> comments = new ArrayList<>();
    private int commentsTaken;
    private Long retry;
    private StreamEnd end;
    private boolean closing;

    private SseRecorder(Builder b) {
        this.uri = b.uri;
        this.requestHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.timeout = b.timeout == null ? DEFAULT_TIMEOUT : b.timeout;
        this.quiet = b.quiet == null ? DEFAULT_QUIET : b.quiet;
        this.socket = new Socket();
    }

    /**
     * Starts a request for the stream at {@code uri}.
     *
     * @param uri an absolute {@code http} or {@code https} URI, with its path and query
     * @return a builder: add headers, then {@link Builder#open()}
     * @throws IllegalArgumentException if {@code uri} is not an absolute http(s) URI with a host
     */
    public static Builder to(URI uri) {
        return new Builder(uri);
    }

    /** Request headers and waits for one stream; {@link #open()} sends the request. Not thread-safe. */
    public static final class Builder {
        private final URI uri;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration timeout;
        private Duration quiet;

        private Builder(URI uri) {
            Objects.requireNonNull(uri, "uri must not be null");
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("uri must be an absolute http or https URI with a host, got \""
                        + uri + "\"");
            }
            this.uri = uri;
        }

        /**
         * Adds a request header, e.g. {@code Last-Event-ID} or {@code Authorization}. {@code Accept:
         * text/event-stream}, {@code Cache-Control: no-cache} and {@code Host} are sent unless given here.
         *
         * @throws IllegalArgumentException if the name is not an HTTP token, the value holds CR, LF or
         *                                  NUL, or the header was already added
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name must not be null");
            Objects.requireNonNull(value, "header " + name + ": value must not be null");
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("header name must be an HTTP token, got \"" + name + "\"");
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("header " + name + ": value must not contain CR, LF or NUL, got "
                        + ReceivedEvent.quote(value));
            }
            if (find(headers, name) != null) {
                throw new IllegalArgumentException("header " + name + " was already added");
            }
            headers.put(name, value);
            return this;
        }

        /**
         * Bounds every wait of the recorder: the connection, the response head and each take or
         * assertion (30 s unless set). A bound for failing, not a measure of speed.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException    if already set
         */
        public Builder timeout(Duration timeout) {
            if (this.timeout != null) {
                throw new IllegalStateException("timeout was already set to " + this.timeout);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How long {@link SseRecorder#assertExhausted()} watches for an unexpected event (200 ms
         * unless set).
         *
         * @throws IllegalArgumentException if negative
         * @throws IllegalStateException    if already set
         */
        public Builder quietWindow(Duration window) {
            if (this.quiet != null) {
                throw new IllegalStateException("quiet window was already set to " + this.quiet);
            }
            if (window == null || window.isNegative()) {
                throw new IllegalArgumentException("quiet window must not be negative, got " + window);
            }
            this.quiet = window;
            return this;
        }

        /**
         * Sends the request and waits for the response head (status and headers), as an
         * {@code EventSource} waits for {@code open}. Whatever the status, the recorder is returned: a
         * refusal is recorded as the stream's {@link StreamEnd}, for the test to check.
         *
         * @return the recorder; close it (try-with-resources) to end the stream
         * @throws AssertionError if neither a response head nor a failure came within the timeout
         */
        public SseRecorder open() {
            SseRecorder recorder = new SseRecorder(this);
            recorder.start();
            return recorder;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The response head

    /**
     * @return the response status
     * @throws AssertionError if the stream ended before a response head arrived (the connection
     *                        failed), saying why
     */
    public int status() {
        synchronized (this) {
            if (responseHeaders == null) {
                throw new AssertionError("no response head: " + end + describe());
            }
            return status;
        }
    }

    /**
     * @param name a header name, in any case
     * @return the header's first value, or null if the response has none
     * @throws AssertionError as {@link #status()}
     */
    public String header(String name) {
        status();
        synchronized (this) {
            List<String> values = find(responseHeaders, name);
            return values == null ? null : values.get(0);
        }
    }

    /**
     * @return every response header, names in lower case, values in order
     * @throws AssertionError as {@link #status()}
     */
    public Map<String, List<String>> headers() {
        status();
        synchronized (this) {
            return responseHeaders;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Events

    /**
     * @return the next event not yet taken, waiting for it
     * @throws AssertionError if none arrives within the timeout, or the stream ends first
     */
    public ReceivedEvent takeEvent() {
        synchronized (this) {
            awaitOrFail(() -> events.size() > eventsTaken, "an event");
            return events.get(eventsTaken++);
        }
    }

    /**
     * @return the next {@code n} events, waiting for them
     * @throws AssertionError if fewer arrive within the timeout, naming those that did
     */
    public List<ReceivedEvent> takeEvents(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, got " + n);
        }
        synchronized (this) {
            awaitOrFail(() -> events.size() - eventsTaken >= n, n + " events");
            List<ReceivedEvent> out = List.copyOf(events.subList(eventsTaken, eventsTaken + n));
            eventsTaken += n;
            return out;
        }
    }

    /**
     * Takes the next event and checks all three of its fields; null means the field is absent.
     *
     * @return the event
     * @throws AssertionError if it differs, or does not arrive
     */
    public ReceivedEvent assertEvent(String id, String type, String data) {
        ReceivedEvent got = takeEvent();
        if (!Objects.equals(id, got.id()) || !Objects.equals(type, got.type()) || !data.equals(got.data())) {
            throw new AssertionError("expected " + new ReceivedEvent(id, type, data, null) + " but got " + got
                    + describe());
        }
        return got;
    }

    /**
     * Takes the next events and checks that their data are exactly these, in this order; for events
     * whose ids the server chooses.
     *
     * @return the events, to read their ids
     * @throws AssertionError if they differ, or fewer arrive
     */
    public List<ReceivedEvent> assertData(String... data) {
        List<ReceivedEvent> got = takeEvents(data.length);
        List<String> gotData = got.stream().map(ReceivedEvent::data).toList();
        if (!gotData.equals(Arrays.asList(data))) {
            throw new AssertionError("expected data " + quoteAll(Arrays.asList(data)) + " but got "
                    + quoteAll(gotData) + describe());
        }
        return got;
    }

    /**
     * Checks that no event beyond those taken arrives within the quiet window (200 ms unless set in
     * the builder). To prove that nothing came before some event with no window at all, publish a
     * last event and {@link #assertEvent} it instead.
     *
     * @throws AssertionError naming the events that arrived and were not taken
     */
    public void assertExhausted() {
        synchronized (this) {
            awaitUntil(() -> events.size() > eventsTaken, quiet);
            if (events.size() > eventsTaken) {
                throw new AssertionError("expected no further event but got "
                        + events.subList(eventsTaken, events.size()) + describe());
            }
        }
    }

    /**
     * @return the id of the last event taken (the id an {@code EventSource} would send to resume
     *         after it), or null if none was taken or it had no id
     */
    public synchronized String lastEventId() {
        return eventsTaken == 0 ? null : events.get(eventsTaken - 1).id();
    }

    /**
     * Closes this stream and opens the same request again, with {@code Last-Event-ID} set to
     * {@link #lastEventId()} (or, if no event was taken, as it was sent before). Events this stream
     * received but the test did not take are dropped, as a browser would drop them.
     *
     * @return the new stream, its response head read
     */
    public SseRecorder reconnect() {
        String resumeAfter = lastEventId();
        close();
        Builder b = new Builder(uri).timeout(timeout).quietWindow(quiet);
        requestHeaders.forEach((name, value) -> {
            if (resumeAfter == null || !name.equalsIgnoreCase("Last-Event-ID")) {
                b.header(name, value);
            }
        });
        if (resumeAfter != null) {
            b.header("Last-Event-ID", resumeAfter);
        }
        return b.open();
    }

    // ---------------------------------------------------------------------------------------------
    // Comments and retry

    /**
     * @return the next comment not yet taken (without its colon and one space), waiting for it
     * @throws AssertionError if none arrives within the timeout, or the stream ends first
     */
    public String takeComment() {
        synchronized (this) {
            awaitOrFail(() -> comments.size() > commentsTaken, "a comment");
            return comments.get(commentsTaken++);
        }
    }

    /** @return every comment received so far, taken or not */
    public synchronized List<String> comments() {
        return List.copyOf(comments);
    }

    /** @return the last valid {@code retry} value received (the reconnection time, in ms), if any */
    public synchronized OptionalLong retry() {
        return retry == null ? OptionalLong.empty() : OptionalLong.of(retry);
    }

    // ---------------------------------------------------------------------------------------------
    // The end

    /**
     * @return how the stream ended, waiting for it to end
     * @throws AssertionError if it does not end within the timeout
     */
    public StreamEnd awaitEnd() {
        synchronized (this) {
            if (!awaitUntil(() -> end != null, timeout)) {
                throw new AssertionError("the stream did not end within " + timeout + describe());
            }
            return end;
        }
    }

    /**
     * Waits for the stream to end and checks why; every event must have been taken before.
     *
     * @return the end, for its status, body or failure
     * @throws AssertionError if it ends otherwise, does not end, or left events not taken
     */
    public StreamEnd assertEnded(StreamEnd.Reason reason) {
        StreamEnd got = awaitEnd();
        synchronized (this) {
            if (got.reason() != reason) {
                throw new AssertionError("expected the stream to end with " + reason + " but it ended with " + got
                        + describe());
            }
            if (events.size() > eventsTaken) {
                throw new AssertionError("the stream ended (" + got + ") after events that were not taken: "
                        + events.subList(eventsTaken, events.size()) + describe());
            }
        }
        return got;
    }

    /** Closes the connection; the stream ends with {@link StreamEnd.Reason#CLIENT_CLOSED} unless it had ended. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // the socket is unusable either way; nothing is left to release
        }
        // The reader thread records the end; a connection never made has no reader waiting.
        synchronized (this) {
            awaitUntil(() -> end != null, timeout);
        }
    }

    /** @return the request line and what has been recorded so far */
    @Override
    public synchronized String toString() {
        return "SseRecorder" + describe();
    }

    // ---------------------------------------------------------------------------------------------
    // Waiting (callers hold the monitor)

    private boolean awaitUntil(BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting" + describe(), e);
        }
    }

    private void awaitOrFail(BooleanSupplier condition, String what) {
        awaitUntil(() -> condition.getAsBoolean() || end != null, timeout);
        if (condition.getAsBoolean()) {
            return;
        }
        throw new AssertionError((end == null ? "expected " + what + " within " + timeout
                : "expected " + what + " but the stream ended: " + end) + describe());
    }

    private synchronized String describe() {
        StringBuilder s = new StringBuilder("\n  stream: GET ").append(uri);
        if (!requestHeaders.isEmpty()) {
            s.append(' ').append(requestHeaders);
        }
        s.append("\n  status: ").append(responseHeaders == null ? "none yet" : status);
        s.append("\n  events received: ").append(events.size()).append(", taken: ").append(eventsTaken);
        int from = Math.max(0, events.size() - 20);
        for (int i = from; i < events.size(); i++) {
            s.append("\n    ").append(i < eventsTaken ? "taken " : "new   ").append(events.get(i));
        }
        s.append("\n  comments received: ").append(comments.size());
        if (retry != null) {
            s.append(", retry: ").append(retry);
        }
        s.append("\n  ended: ").append(end == null ? "not yet" : end);
        return s.toString();
    }

    private static <V> V find(Map<String, V> map, String name) {
        for (Map.Entry<String, V> e : map.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String quoteAll(List<String> values) {
        return values.stream().map(ReceivedEvent::quote).toList().toString();
    }

    // ---------------------------------------------------------------------------------------------
    // The connection and its reader thread

    private void start() {
        Thread reader = new Thread(this::run, "ssekit-test-recorder " + uri);
        reader.setDaemon(true);
        reader.start();
        synchronized (this) {
            if (!awaitUntil(() -> responseHeaders != null || end != null, timeout)) {
                close();
                throw new AssertionError("no response head within " + timeout + describe());
            }
        }
    }

    private void run() {
        try {
            boolean tls = uri.getScheme().equalsIgnoreCase("https");
            int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            Socket channel = tls
                    ? ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(socket, uri.getHost(), port, true)
                    : socket;
            OutputStream out = channel.getOutputStream();
            out.write(request(port).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(channel.getInputStream());
            readHead(in);
            String type = header("Content-Type");
            if (status != 200) {
                // 204 and 304 have no body, framed or not.
                finish(StreamEnd.Reason.HTTP_STATUS, status == 204 || status == 304 ? "" : errorBody(in), null);
            } else if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
                finish(StreamEnd.Reason.NOT_EVENT_STREAM, errorBody(in), null);
            } else {
                EventStreamParser parser = new EventStreamParser(new Recording());
                body(in, parser::feed);
                finish(StreamEnd.Reason.SERVER_CLOSED, "", null);
            }
        } catch (IOException | RuntimeException e) {
            boolean closed;
            synchronized (this) {
                closed = closing;
            }
            if (closed) {
                finish(StreamEnd.Reason.CLIENT_CLOSED, "", null);
            } else {
                finish(StreamEnd.Reason.BROKEN, "", e instanceof IOException io ? io : new IOException(e));
            }
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // already ended; nothing is left to release
            }
        }
    }

    private String request(int port) {
        String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            target += "?" + uri.getRawQuery();
        }
        Map<String, String> all = new LinkedHashMap<>();
        boolean defaultPort = uri.getPort() < 0 || uri.getPort() == (uri.getScheme().equalsIgnoreCase("https") ? 443 : 80);
        all.put("Host", uri.getHost() + (defaultPort ? "" : ":" + port));
        all.put("Accept", "text/event-stream");
        all.put("Cache-Control", "no-cache");
        requestHeaders.forEach((name, value) -> {
            all.keySet().removeIf(n -> n.equalsIgnoreCase(name));
            all.put(name, value);
        });
        StringBuilder s = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
        all.forEach((name, value) -> s.append(name).append(": ").append(value).append("\r\n"));
        return s.append("\r\n").toString();
    }

    private void readHead(InputStream in) throws IOException {
        int code;
        Map<String, List<String>> headers;
        do { // 1xx answers precede the real one
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x status line: " + ReceivedEvent.quote(statusLine));
            }
            try {
                code = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status: " + ReceivedEvent.quote(statusLine), e);
            }
            headers = new TreeMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("not a header line: " + ReceivedEvent.quote(h));
                }
                headers.computeIfAbsent(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(h.substring(colon + 1).trim());
            }
        } while (code >= 100 && code < 200);
        headers.replaceAll((k, v) -> List.copyOf(v));
        synchronized (this) {
            status = code;
            responseHeaders = Collections.unmodifiableMap(headers);
            notifyAll();
        }
    }

    /** Reads the body by its framing (chunked, Content-Length, or to the end), passing each piece on. */
    private void body(InputStream in, BodySink sink) throws IOException {
        String encoding = header("Transfer-Encoding");
        String length = header("Content-Length");
        byte[] buf = new byte[8192];
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            while (true) {
                String size;
                try {
                    size = line(in);
                } catch (EOFException e) {
                    throw new EOFException("the connection closed after a whole chunk but without the last chunk"
                            + " (a chunked response ends with a chunk of size 0)");
                }
                long n;
                try {
                    n = Long.parseLong(size.split(";", 2)[0].trim(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("not a chunk size: " + ReceivedEvent.quote(size), e);
                }
                if (n == 0) {
                    return; // the last chunk: the server ended the response properly
                }
                copy(in, n, buf, sink);
                if (!line(in).isEmpty()) {
                    throw new IOException("a chunk longer than its size " + n);
                }
            }
        } else if (length != null) {
            copy(in, Long.parseLong(length.trim()), buf, sink);
        } else {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sink.accept(buf, 0, n);
            }
        }
    }

    private interface BodySink {
        void accept(byte[] bytes, int offset, int length);
    }

    private static void copy(InputStream in, long n, byte[] buf, BodySink sink) throws IOException {
        while (n > 0) {
            int read = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (read < 0) {
                throw new EOFException("the connection closed " + n + " bytes before the end of the response body");
            }
            sink.accept(buf, 0, read);
            n -= read;
        }
    }

    private String errorBody(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body(in, (bytes, offset, length) -> body.write(bytes, offset,
                Math.max(0, Math.min(length, MAX_ERROR_BODY - body.size()))));
        return body.toString(StandardCharsets.UTF_8);
    }

    /** One header or status line, CRLF (or a bare LF) removed; ISO-8859-1 as HTTP/1.1 says. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection closed in the middle of the response"
                        + (s.length() == 0 ? "" : " after " + ReceivedEvent.quote(s.toString())));
            }
            s.append((char) b);
        }
        int end = s.length();
        return end > 0 && s.charAt(end - 1) == '\r' ? s.substring(0, end - 1) : s.toString();
    }

    private void finish(StreamEnd.Reason reason, String body, IOException failure) {
        synchronized (this) {
            if (end == null) {
                end = new StreamEnd(reason, responseHeaders == null ? 0 : status, body, failure);
            }
            notifyAll();
        }
    }

    /** Records what the parser finds, waking the test thread. */
    private final class Recording implements EventStreamParser.Handler {
        @Override
        public void event(ReceivedEvent event) {
            synchronized (SseRecorder.this) {
                events.add(event);
                SseRecorder.this.notifyAll();
            }
        }

        @Override
        public void comment(String text) {
            synchronized (SseRecorder.this) {
                comments.add(text);
                SseRecorder.this.notifyAll();
            }
        }

        @Override
        public void retry(long millis) {
            synchronized (SseRecorder.this) {
                retry = millis;
            }
        }
    }
}
