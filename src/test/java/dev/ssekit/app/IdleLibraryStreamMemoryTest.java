package dev.ssekit.app;

import dev.ssekit.Hub;
import dev.ssekit.SseKitFeature;
import dev.ssekit.app.embedded.GrizzlyTransport;
import dev.ssekit.testsupport.AnnotatedOrderResource;
import dev.ssekit.testsupport.ClassHistogram;
import dev.ssekit.testsupport.InjectedHub;
import dev.ssekit.testsupport.JerseyWeld;
import dev.ssekit.testsupport.StreamResource;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an idle stream opened by a user's own JAX-RS resource costs on Jersey + Grizzly with ssekit's
 * transport installed ({@link GrizzlyTransport}), over real HTTP: {@code hub.open(sink)} and
 * {@code @Subscribe}, each stream given its {@code : connected} comment and nothing more. Once the
 * resource has returned and the head is out, the stream lets go of its request (neither Grizzly's
 * request nor Jersey's {@code ContainerRequest} stays), though nothing more is written to it: before,
 * it did so only at its second write (a heartbeat, 6.7 s later by default, or an event), and until
 * then kept some 25 KB of request state. ssekit's own objects stay under 1 KB a stream. Counted with
 * the JVM's class histogram after a full collection, as {@link IdleStreamMemoryTest} counts the hub's.
 */
class IdleLibraryStreamMemoryTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STREAMS = 200; // per batch: half through hub.open, half through @Subscribe
    private static final String CONTAINER_REQUEST = "org.glassfish.jersey.server.ContainerRequest";
    private static final String HEARTBEAT = "ssekit.heartbeat";
    private static final String GRIZZLY_REQUEST = "org.glassfish.grizzly.http.server.Request";

    private WeldContainer weld;
    private HttpServer server;
    private Runnable transport;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
        if (transport != null) {
            transport.run();
        }
        if (weld != null) {
            weld.shutdown();
        }
        System.clearProperty(HEARTBEAT);
    }

    @Test
    void idleLibraryStreams_keepNoRequestStateBeforeTheirSecondWrite() throws Exception {
        // No heartbeat while the test waits: a stream's only write is its ": connected" comment.
        System.setProperty(HEARTBEAT, "10m");
        weld = JerseyWeld.start("ssekit-idle-library", AnnotatedOrderResource.class, InjectedHub.class);
        Hub topics = weld.select(InjectedHub.class).get().hub();
        server = GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"),
                new ResourceConfig(AnnotatedOrderResource.class, SseKitFeature.class).registerInstances(new StreamResource(topics)),
                false);
        transport = GrizzlyTransport.install(server);
        server.start();
        int port = server.getListeners().iterator().next().getPort();

        // A first batch: the classes, and the caches of recycled request objects Grizzly keeps per
        // thread (up to 16 a thread, whatever the number of streams), filled.
        sockets.addAll(openIdle(port, "first", STREAMS));
        ClassHistogram before = awaitRequestsLetGo();

        sockets.addAll(openIdle(port, "second", STREAMS));
        ClassHistogram after = awaitRequestsLetGo();

        long containerRequests = after.count(CONTAINER_REQUEST) - before.count(CONTAINER_REQUEST);
        long grizzlyRequests = after.count(GRIZZLY_REQUEST) - before.count(GRIZZLY_REQUEST);
        long ownBytes = after.bytesOf("dev.ssekit.") - before.bytesOf("dev.ssekit.");
        long totalBytes = after.total() - before.total();
        String report = STREAMS + " more idle library streams: " + containerRequests + " more ContainerRequest, "
                + grizzlyRequests + " more Grizzly Request, ssekit's objects " + ownBytes / STREAMS + " B each, heap "
                + totalBytes / STREAMS + " B each; most: " + after.largestGrowth(before, 25, STREAMS);
        assertTrue(containerRequests < 10, report);
        // Grizzly keeps recycled requests for reuse, up to 16 per thread that recycles them: not one per stream.
        assertTrue(grizzlyRequests < STREAMS / 4, report);
        assertTrue(ownBytes <= 1024L * STREAMS, report);
        // With the test's own client sockets in the same heap (some 3 KB a stream).
        assertTrue(totalBytes <= 8 * 1024L * STREAMS, report);
    }

    /**
     * Waits until the streams open now keep no Jersey request: they are handed off once the head is
     * out, on ssekit's writer threads, a moment after the client has read {@code : connected}.
     *
     * @return the histogram that showed it
     */
    private static ClassHistogram awaitRequestsLetGo() {
        AtomicReference<ClassHistogram> last = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            ClassHistogram h = ClassHistogram.now();
            last.set(h);
            assertTrue(h.count(CONTAINER_REQUEST) < 10, h.count(CONTAINER_REQUEST) + " ContainerRequest live, "
                    + h.count(GRIZZLY_REQUEST) + " Grizzly Request: the idle streams still hold their requests");
        });
        return last.get();
    }

    /** Opens {@code n} streams, half of each kind, and reads each up to its {@code : connected} comment. */
    private static List<Socket> openIdle(int port, String topic, int n) throws IOException {
        List<Socket> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String path = i % 2 == 0 ? "/s/topics?topic=" + topic : "/orders/" + topic + "/events";
            opened.add(openUntilConnected(port, path));
        }
        return opened;
    }

    private static Socket openUntilConnected(int port, String path) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout((int) WAIT.toMillis());
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (!got.toString(StandardCharsets.ISO_8859_1).contains(": connected\n\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("stream ended before its : connected comment: " + got);
                }
                got.write(b);
            }
            if (!got.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200")) {
                throw new IOException("not a stream: " + got);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
