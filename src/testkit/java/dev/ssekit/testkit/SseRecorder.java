package dev.ssekit.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.function.BooleanSupplier;

/**
 * A test's client of one Server-Sent Events stream: it opens {@code GET uri} with the JDK's
 * {@link HttpClient} (HTTP/1.1; HTTP/2 where TLS negotiates it, as a browser does), records
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
 * <p>Thread-safety: one test thread takes events; the HTTP client's threads record them.
 * {@link #close()} may be called from any thread.
 */
public final class SseRecorder implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_QUIET = Duration.ofMillis(200);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    /** Names the JDK's client sets itself, and refuses from a caller. */
    private static final List<String> CLIENT_HEADERS = List.of("Connection", "Content-Length", "Expect", "Host",
            "Upgrade");
    /** One client for every recorder: its threads and connection pool are shared, as a browser's. */
    private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final URI uri;
    private final Map<String, String> requestHeaders;
    private final Duration timeout;
    private final Duration quiet;

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
    private CompletableFuture<?> exchange;
    private Flow.Subscription subscription;

    private SseRecorder(Builder b) {
        this.uri = b.uri;
        this.requestHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.timeout = b.timeout == null ? DEFAULT_TIMEOUT : b.timeout;
        this.quiet = b.quiet == null ? DEFAULT_QUIET : b.quiet;
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
         * text/event-stream} and {@code Cache-Control: no-cache} are sent unless given here.
         *
         * @throws IllegalArgumentException if the name is not an HTTP token or one the HTTP client sets
         *                                  itself ({@code Connection}, {@code Content-Length},
         *                                  {@code Expect}, {@code Host}, {@code Upgrade}), the value holds
         *                                  CR, LF or NUL, or the header was already added
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name must not be null");
            Objects.requireNonNull(value, "header " + name + ": value must not be null");
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("header name must be an HTTP token, got \"" + name + "\"");
            }
            if (CLIENT_HEADERS.stream().anyMatch(name::equalsIgnoreCase)) {
                throw new IllegalArgumentException("header " + name + " is set by the HTTP client itself (from the "
                        + "URI and the request), not by a test");
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
        Flow.Subscription s;
        CompletableFuture<?> sent;
        synchronized (this) {
            closing = true;
            s = subscription;
            sent = exchange;
        }
        // Cancelling the body closes the connection (HTTP/1.1) or resets the stream (HTTP/2); before
        // the head, cancelling the exchange does. Neither is reported back: the end is recorded here.
        if (s != null) {
            s.cancel();
        } else if (sent != null) {
            sent.cancel(true);
        }
        finish(StreamEnd.Reason.CLIENT_CLOSED, "", null);
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
    // The exchange, on the JDK's HTTP client

    private void start() {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(timeout)
                // A browser speaks HTTP/2 only over TLS (ALPN), never by upgrading plain HTTP.
                .version(uri.getScheme().equalsIgnoreCase("https") ? HttpClient.Version.HTTP_2
                        : HttpClient.Version.HTTP_1_1);
        if (find(requestHeaders, "Accept") == null) {
            request.header("Accept", "text/event-stream");
        }
        if (find(requestHeaders, "Cache-Control") == null) {
            request.header("Cache-Control", "no-cache");
        }
        requestHeaders.forEach(request::header);
        CompletableFuture<HttpResponse<Void>> sent = CLIENT.sendAsync(request.build(), this::onHead);
        synchronized (this) {
            exchange = sent;
        }
        sent.whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                broken(cause);
            }
        });
        synchronized (this) {
            if (!awaitUntil(() -> responseHeaders != null || end != null, timeout)) {
                close();
                throw new AssertionError("no response head within " + timeout + describe());
            }
        }
    }

    /** The response head arrived: records it and says where the body goes. */
    private HttpResponse.BodySubscriber<Void> onHead(HttpResponse.ResponseInfo info) {
        Map<String, List<String>> headers = new TreeMap<>();
        info.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        synchronized (this) {
            status = info.statusCode();
            responseHeaders = Collections.unmodifiableMap(headers);
            notifyAll();
        }
        String type = header("Content-Type");
        Body body;
        if (status != 200) {
            body = new ErrorBody(StreamEnd.Reason.HTTP_STATUS);
        } else if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            body = new ErrorBody(StreamEnd.Reason.NOT_EVENT_STREAM);
        } else {
            body = new EventBody();
        }
        return HttpResponse.BodySubscribers.fromSubscriber(body);
    }

    private void broken(Throwable cause) {
        boolean closed;
        synchronized (this) {
            closed = closing;
        }
        if (closed) {
            finish(StreamEnd.Reason.CLIENT_CLOSED, "", null);
        } else {
            finish(StreamEnd.Reason.BROKEN, "", cause instanceof IOException io ? io : new IOException(cause));
        }
    }

    /** Takes the response body one piece at a time, as it is consumed. */
    private abstract class Body implements Flow.Subscriber<List<ByteBuffer>> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            boolean closed;
            synchronized (SseRecorder.this) {
                subscription = s;
                closed = closing;
            }
            if (closed) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            buffers.forEach(this::accept);
            Flow.Subscription s;
            synchronized (SseRecorder.this) {
                s = subscription;
            }
            s.request(1);
        }

        abstract void accept(ByteBuffer bytes);

        @Override
        public void onError(Throwable failure) {
            // The client's own message names its parser's state ("chunked transfer encoding, state:
            // READING_DATA"); say first what it means for the test.
            broken(new IOException("the connection broke before the response ended (" + failure + ")", failure));
        }
    }

    /** The stream: parsed as it comes. */
    private final class EventBody extends Body {
        private final EventStreamParser parser = new EventStreamParser(new Recording());

        @Override
        void accept(ByteBuffer bytes) {
            parser.feed(bytes);
        }

        @Override
        public void onComplete() {
            finish(StreamEnd.Reason.SERVER_CLOSED, "", null);
        }
    }

    /** A refusal: its body kept as text, up to {@link #MAX_ERROR_BODY}. */
    private final class ErrorBody extends Body {
        private final StreamEnd.Reason reason;
        private final ByteArrayOutputStream text = new ByteArrayOutputStream();

        ErrorBody(StreamEnd.Reason reason) {
            this.reason = reason;
        }

        @Override
        void accept(ByteBuffer bytes) {
            int n = Math.max(0, Math.min(bytes.remaining(), MAX_ERROR_BODY - text.size()));
            byte[] kept = new byte[n];
            bytes.get(kept);
            text.write(kept, 0, n);
        }

        @Override
        public void onComplete() {
            finish(reason, text.toString(StandardCharsets.UTF_8), null);
        }
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
