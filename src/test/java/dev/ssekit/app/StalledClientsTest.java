package dev.ssekit.app;

import dev.ssekit.Event;
import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.internal.conn.ConnRuntime;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Clients that stop reading, four times as many as ssekit has writer threads, subscribed over real
 * HTTP to the embedded hub: a healthy reader of the same topic still gets every event, and the
 * stalled ones are cut by their write timeout or overflow policy.
 */
class StalledClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STALLED = 4 * ConnRuntime.defaultWriterThreads();
    // 24 MB per client: more than the socket and the container buffer for a client that does not
    // read (several MB on loopback).
    private static final int EVENTS = 1500;
    private static final String DATA = "x".repeat(16 * 1024);

    private EmbeddedHub hub;
    private final List<Socket> stalled = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = Hubs.start(Map.of());
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : stalled) {
            s.close();
        }
        hub.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // a hang guard: before the fix, publishing stopped for good
    void publish_stalledClientsOutnumberingWritersDoNotHoldBackAHealthyReader() throws Exception {
        for (int i = 0; i < STALLED; i++) {
            stalled.add(openAndStopReading("topic=feed"));
        }
        RawSseClient healthy = MercureClient.subscribeRaw(hub.uri(), "topic=feed", Map.of());
        try {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                ids.add(hub.hub().publish(List.of("feed"), Event.of(DATA + i)).id());
            }
            List<RawSseClient.Received> got = healthy.next(EVENTS, WAIT);
            for (int i = 0; i < EVENTS; i++) {
                assertEquals(ids.get(i), got.get(i).id(), "event " + i);
                assertEquals(DATA + i, got.get(i).data(), "event " + i);
            }
            // Each stalled client was cut: by its write timeout (10 s), or by its overflow policy.
            await().atMost(WAIT).until(() -> hub.hub().stats("feed").cut() == STALLED);
            assertEquals(1, hub.hub().stats("feed").subscribers(), "the healthy reader");
        } finally {
            healthy.close();
        }
    }

    private Socket openAndStopReading(String query) throws IOException {
        return MercureClient.openAndStopReading(hub.uri(), query, WAIT);
    }
}
