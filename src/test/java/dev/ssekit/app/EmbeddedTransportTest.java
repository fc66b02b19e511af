package dev.ssekit.app;

import dev.ssekit.Event;
import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.LogCapture;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded hub's own transport, over real HTTP: clients that stop reading hold no thread, a cut
 * closes the client's socket at once (Grizzly no longer keeps it and its bytes), and a client that
 * leaves is noticed with nothing logged above DEBUG.
 */
class EmbeddedTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DATA = "x".repeat(16 * 1024);

    private EmbeddedHub hub;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void cut_closesTheClientsSocketAtOnce() throws Exception {
        // Capacity 20, everything else out of reach: the cut is the overflow's.
        hub = Hubs.start(Map.of("ssekit.queue.capacity", "20", "ssekit.write.timeout", "10m",
                "ssekit.queue.max.delay", "10m"));
        Socket stalled = openAndStopReading("topic=cut");
        assertTrue(serverHolds(stalled), "the hub holds the stream's connection");
        for (int i = 0; i < 5_000 && hub.hub().stats("cut").cut() == 0; i++) {
            hub.hub().publish(List.of("cut"), Event.of(DATA + i));
        }
        assertEquals(1, hub.hub().stats("cut").cut(), "cut as a slow consumer");
        // The server lets go of the connection without the client reading anything more: before, Grizzly
        // kept it open, with every event it had queued (MBs), until the client had read them all.
        await().atMost(WAIT).until(() -> !serverHolds(stalled));
        // The client then reads what the kernels already hold, and finds the stream closed.
        assertTrue(bytesToTheEnd(stalled) >= 0, "the stream ended");
    }

    /**
     * @return true while a process on this machine (the hub: it runs in this JVM) holds the server's
     *         end of {@code client}'s connection; a socket the process closed has no inode in
     *         {@code /proc/net/tcp}, even while the kernel still sends what it had buffered
     */
    private boolean serverHolds(Socket client) throws IOException {
        String local = String.format(":%04X ", hub.uri().getPort());
        String remote = String.format(":%04X ", client.getLocalPort());
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && (f[1] + " ").endsWith(local) && (f[2] + " ").endsWith(remote) && !f[9].equals("0")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void stalledClients_holdNoThreadAndDoNotHoldBackAHealthyReader() throws Exception {
        hub = Hubs.start(Map.of());
        int stalledCount = 200;
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        for (int i = 0; i < stalledCount; i++) {
            openAndStopReading("topic=feed");
        }
        try (RawSseClient healthy = MercureClient.subscribeRaw(hub.uri(), "topic=feed", Map.of())) {
            await().atMost(WAIT).until(() -> hub.hub().stats("feed").subscribers() == stalledCount + 1);
            long heapBefore = heapAfterGc();
            // 4 MB for each client: far more than its sockets take.
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                ids.add(hub.hub().publish(List.of("feed"), Event.of(DATA + i)).id());
            }
            List<RawSseClient.Received> got = healthy.next(ids.size(), WAIT);
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(ids.get(i), got.get(i).id(), "event " + i);
            }
            // Every stalled client's socket is full by now; none holds a writer thread, and what the
            // node holds for them is the events once (shared by their queues) and, per client, one
            // batch in hand and Grizzly's 64 KiB: about 30 MB here, where Grizzly alone took 800 MB.
            assertEquals(0, writerThreadsAbove(8), "writer threads beyond the pool");
            int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
            assertTrue(threadsAfter - threadsBefore < 50,
                    "threads: " + threadsBefore + " before, " + threadsAfter + " with " + stalledCount + " stalled clients");
            long held = heapAfterGc() - heapBefore;
            assertTrue(held < 100L * 1024 * 1024, (held >> 20) + " MiB held for " + stalledCount + " stalled clients");
        }
    }

    @Test
    void disconnect_logsNothingAboveDebug() throws Exception {
        hub = Hubs.start(Map.of());
        LogCapture log = LogCapture.above("", Level.FINE);
        try {
            // One client leaves while idle, one in the middle of a frame (with a reset), one after a burst.
            Socket idle = openAndStopReading("topic=leave");
            Socket midFrame = openAndStopReading("topic=leave");
            await().atMost(WAIT).until(() -> hub.hub().stats("leave").subscribers() == 2);
            idle.close();
            hub.hub().publish(List.of("leave"), Event.of(DATA));
            midFrame.getInputStream().readNBytes(100); // part of the event
            midFrame.setSoLinger(true, 0);
            midFrame.close();
            for (int i = 0; i < 20 && hub.hub().stats("leave").subscribers() > 0; i++) {
                hub.hub().publish(List.of("leave"), Event.of(DATA + i));
            }
            await().atMost(WAIT).until(() -> hub.hub().stats("leave").subscribers() == 0);
        } finally {
            log.close();
        }
        assertEquals(List.of(), log.lines());
    }

    /** @return writer threads of the hub beyond {@code pool} */
    private static long writerThreadsAbove(int pool) {
        long writers = Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .filter(t -> t.getThreadName().contains("-writer-")).count();
        return Math.max(0, writers - pool);
    }

    /** @return the bytes read until the stream ended (EOF or reset), or -1 if it did not end in time */
    private static long bytesToTheEnd(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
            }
            return total;
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (SocketException e) {
            return total; // reset: closed at once, dropping what was pending
        }
    }

    /** @return the heap in use after a full collection */
    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Subscribes as a client that stops reading after the response head; closed after the test. */
    private Socket openAndStopReading(String query) throws IOException {
        Socket s = MercureClient.openAndStopReading(hub.uri(), query, WAIT);
        sockets.add(s);
        return s;
    }
}
