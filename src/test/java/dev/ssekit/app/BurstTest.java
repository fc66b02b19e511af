package dev.ssekit.app;

import dev.ssekit.Event;
import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A burst of broadcasts in a tight loop, to subscribers that read as fast as loopback allows: with
 * the default settings every subscriber gets every event, and none is cut as a slow consumer.
 */
class BurstTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int SUBSCRIBERS = 50;
    private static final int EVENTS = 2000;

    @Test
    void publishLoop_defaultSettings_reachesEveryHealthyReaderWithoutCuts() throws Exception {
        EmbeddedHub hub = Hubs.start(Map.of());
        List<RawSseClient> readers = new ArrayList<>();
        try {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                readers.add(MercureClient.subscribeRaw(hub.uri(), "topic=burst", Map.of()));
            }
            List<String> ids = new ArrayList<>(EVENTS);
            String data = "x".repeat(200);
            for (int i = 0; i < EVENTS; i++) {
                ids.add(hub.hub().publish(List.of("burst"), Event.of(data)).id());
            }
            for (RawSseClient r : readers) {
                assertEquals(ids, r.next(EVENTS, WAIT).stream().map(RawSseClient.Received::id).toList());
            }
            assertEquals(0, hub.hub().stats("burst").cut(), "healthy readers cut as slow consumers");
        } finally {
            readers.forEach(RawSseClient::close);
            hub.close();
        }
    }
}
