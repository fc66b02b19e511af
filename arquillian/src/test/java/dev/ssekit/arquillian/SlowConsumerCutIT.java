package dev.ssekit.arquillian;

import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub WAR with a small queue (32 events): a subscriber that stops reading is cut as a slow
 * consumer, and its socket is closed: it reads what its buffers already held, then the end. Before
 * ssekit's own transport, the cut closed only the sink: the container kept the connection open, and
 * what it held for the client, for minutes.
 */
@ExtendWith(ArquillianExtension.class)
class SlowConsumerCutIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int EVENTS = 400; // 6.4 MB: socket buffers, container and queue overflow

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive hubWar() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war")))
                .addAsResource(new StringAsset("ssekit.hub.jwt.secret=" + Tokens.SECRET + "\n"
                                + "ssekit.hub.jwt.issuer=" + Tokens.ISSUER + "\n"
                                + "ssekit.hub.resource=" + Tokens.RESOURCE + "\n"
                                + "ssekit.queue.capacity=32\n"),
                        "META-INF/microprofile-config.properties");
    }

    private URI hub() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath());
    }

    @Test
    void stalledClientCutAsSlowConsumer_seesItsSocketClosed_healthyReaderGetsEverything() throws Exception {
        URI hub = hub();
        String publisher = Tokens.publisher("*");
        String data = "z".repeat(16 * 1024);
        try (RawSseClient healthy = MercureClient.subscribeRaw(hub, "topic=slow", Map.of());
             StalledClient stalled = StalledClient.open(hub, "topic=slow", WAIT)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                ids.add(MercureClient.publish(hub, publisher, "slow", data));
            }
            assertEquals(ids, healthy.next(EVENTS, WAIT).stream().map(RawSseClient.Received::id).toList());
            StalledClient.Ending ending = stalled.readToEnd(WAIT);
            assertNotEquals(StalledClient.End.STILL_OPEN, ending.end(),
                    "the cut client's connection is still open after " + ending.text().length() + " chars");
            assertTrue(!ending.text().contains("id: " + ids.get(EVENTS - 1)), "it was cut before the last event");
        }
    }
}
