package dev.ssekit.testkit;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.MercureClient;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorder at a server's proper end of stream: an embedded hub that stops (apart from
 * {@link SseRecorderTest}, whose hub runs all along: one embedded hub per JVM).
 */
class SseRecorderShutdownTest {
    @Test
    void serverShutdown_endsWithServerClosedAfterTheRetryHint() throws Exception {
        EmbeddedHub other = EmbeddedHub.start("127.0.0.1", 0);
        try (SseRecorder events = SseRecorder.to(other.uri().resolve(MercureClient.PATH + "?topic=x")).open()) {
            String id = MercureClient.publish(other.uri(), "x", "last");
            events.assertEvent(id, null, "last");
            other.close();
            events.assertEnded(StreamEnd.Reason.SERVER_CLOSED);
            assertEquals(5000, events.retry().orElseThrow(), "the hub's default hint at shutdown");
            assertTrue(events.comments().contains("closing"), events.comments().toString());
        } finally {
            other.close();
        }
    }

    @Test
    void assertEnded_withEventsNotTaken_failsNamingThem() throws Exception {
        EmbeddedHub other = EmbeddedHub.start("127.0.0.1", 0);
        try (SseRecorder events = SseRecorder.to(other.uri().resolve(MercureClient.PATH + "?topic=x")).open()) {
            MercureClient.publish(other.uri(), "x", "forgotten");
            other.close();
            AssertionError e = assertThrows(AssertionError.class, () -> events.assertEnded(StreamEnd.Reason.SERVER_CLOSED));
            assertTrue(e.getMessage().startsWith("the stream ended (SERVER_CLOSED) after events that were not taken: [{id="),
                    e.getMessage());
            assertTrue(e.getMessage().contains("data=\"forgotten\""), e.getMessage());
        } finally {
            other.close();
        }
    }

}
