package dev.ssekit.testsupport;

import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A client of the hub's Mercure endpoints, over real HTTP/1.1 on loopback. */
public final class MercureClient {
    /** Relative, so that it resolves under a WAR's context root as well as at a server's root. */
    public static final String PATH = ".well-known/mercure";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private MercureClient() {
    }

    /** POSTs a form to the hub. */
    public static HttpResponse<String> post(URI hub, String form) throws Exception {
        return post(hub, form, Map.of());
    }

    /** POSTs a form to the hub with extra headers ({@code Authorization}, {@code Origin}, …). */
    public static HttpResponse<String> post(URI hub, String form, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(hub.resolve(PATH))
                .header("Content-Type", "application/x-www-form-urlencoded");
        headers.forEach(b::header);
        return PlainHttp.send(b.POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    /** Sends any request to a path of the hub; for preflights and odd methods. */
    public static HttpResponse<String> send(URI uri, String method, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return PlainHttp.send(b.build());
    }

    /** GETs a path of the hub. */
    public static HttpResponse<String> get(URI uri, String accept) throws Exception {
        return PlainHttp.send(HttpRequest.newBuilder(uri).header("Accept", accept).GET().build());
    }

    /** Publishes {@code data} to {@code topic} anonymously (a development hub); returns the event id. */
    public static String publish(URI hub, String topic, String data) throws Exception {
        return publish(hub, null, topic, data);
    }

    /** Publishes {@code data} to {@code topic} with a bearer token (or none if null); returns the event id. */
    public static String publish(URI hub, String token, String topic, String data) throws Exception {
        HttpResponse<String> r = post(hub, "topic=" + encode(topic) + "&data=" + encode(data),
                token == null ? Map.of() : Tokens.bearer(token));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Opens a subscription with the test kit's recorder and checks its 200. */
    public static SseRecorder subscribe(URI hub, String query, Map<String, String> headers) {
        SseRecorder.Builder b = SseRecorder.to(hub.resolve(PATH + "?" + query)).timeout(WAIT);
        headers.forEach(b::header);
        SseRecorder c = b.open();
        if (c.status() != 200) {
            c.close();
            throw new AssertionError("expected status 200: " + c);
        }
        return c;
    }

    /** Opens a subscription whose bytes are kept, for byte-exact checks, and waits for its 200. */
    public static RawSseClient subscribeRaw(URI hub, String query, Map<String, String> headers) throws Exception {
        RawSseClient c = RawSseClient.open(hub, hub.getPath() + PATH + "?" + query, headers);
        assertEquals(200, c.awaitStatus(WAIT));
        return c;
    }

    /**
     * Reads events until one whose data is {@code END}, reconnecting with {@code Last-Event-ID} after a
     * random number of events each time, to the hub {@code hubs} picks.
     *
     * @param startAfter the Last-Event-ID of the first connection, or null to start live
     * @param connected  run once, when the first connection is open
     * @return the ids received, in order
     */
    public static List<String> readAcrossReconnects(Supplier<URI> hubs, String query, String startAfter,
                                                    Runnable connected) {
        List<String> seen = new ArrayList<>();
        String last = startAfter;
        boolean first = true;
        while (true) {
            try (SseRecorder c = subscribe(hubs.get(), query, last == null ? Map.of() : Map.of("Last-Event-ID", last))) {
                if (first) {
                    connected.run();
                    first = false;
                }
                int take = ThreadLocalRandom.current().nextInt(10, 300);
                for (int i = 0; i < take; i++) {
                    ReceivedEvent e = c.takeEvent();
                    seen.add(e.id());
                    last = e.id();
                    if ("END".equals(e.data())) {
                        return seen;
                    }
                }
            }
        }
    }

    /** Reads from {@code startAfter} (or {@code earliest}) to the {@code END} event: the truth to compare with. */
    public static List<String> readToEnd(URI hub, String query, String startAfter) {
        List<String> ids = new ArrayList<>();
        try (SseRecorder all = subscribe(hub, query, Map.of("Last-Event-ID", startAfter))) {
            ReceivedEvent e;
            do {
                e = all.takeEvent();
                ids.add(e.id());
            } while (!"END".equals(e.data()));
        }
        return ids;
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * Subscribes over a raw socket with a 4 KB receive buffer, waits for the response head, then
     * reads nothing more: a client that stopped reading. The caller closes the socket.
     *
     * @param wait how long reads on the socket may block
     * @throws IOException if the stream ends before its head, or the answer is not 200
     */
    public static Socket openAndStopReading(URI hub, String query, Duration wait)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", hub.getPort()));
            s.setSoTimeout((int) wait.toMillis());
            String request = "GET /" + PATH + "?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: text/event-stream\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("stream ended before its head: " + head);
                }
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 200")) {
                throw new IOException("not a stream: " + text);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
