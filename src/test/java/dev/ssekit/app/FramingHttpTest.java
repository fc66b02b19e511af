package dev.ssekit.app;

import dev.ssekit.Event;
import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;
import dev.ssekit.testsupport.WireCases;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Data published to the embedded hub (Jersey on Grizzly) reaches a raw socket byte for byte as
 * ssekit framed it, and a WHATWG parse of those bytes gives back what was published, live and on
 * replay.
 */
class FramingHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PUBLISHER = Tokens.publisher("*");
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = Hubs.start(Tokens.hubWithSecret());
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void publish_awkwardDataArrivesExactlyAsPublished() throws Exception {
        try (RawSseClient live = MercureClient.subscribeRaw(hub.uri(), "topic=awkward", Map.of())) {
            List<String> ids = new ArrayList<>();
            StringBuilder expected = new StringBuilder(": connected\n\n\n");
            for (String data : WireCases.DATA) {
                String id = MercureClient.publish(hub.uri(), PUBLISHER, "awkward", data);
                ids.add(id);
                // The head and the greeting through Jersey's sink (its chunk delimiter, one LF, after
                // it), then the frame exactly, straight to Grizzly's output.
                expected.append(Event.of(data).withId(id).toWireFormat());
            }
            assertParsed(ids, live.next(WireCases.DATA.size(), WAIT));
            await().atMost(WAIT).untilAsserted(() -> assertEquals(expected.toString(),
                    live.rawText().replace(": heartbeat\n\n", "")));

            try (RawSseClient replayed = MercureClient.subscribeRaw(hub.uri(), "topic=awkward",
                    Map.of("Last-Event-ID", "earliest"))) {
                assertParsed(ids, replayed.next(WireCases.DATA.size(), WAIT));
            }
        }
    }

    private static void assertParsed(List<String> ids, List<RawSseClient.Received> received) {
        for (int i = 0; i < ids.size(); i++) {
            String data = WireCases.DATA.get(i);
            assertEquals(new RawSseClient.Received(ids.get(i), null, WireCases.parsed(data), null), received.get(i),
                    "published " + WireCases.show(data));
        }
    }
}
