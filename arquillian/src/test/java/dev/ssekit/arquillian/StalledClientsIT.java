package dev.ssekit.arquillian;

import dev.ssekit.arquillian.probe.ThreadCountServlet;
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

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub WAR with hundreds of subscribers that stop reading: ssekit's non-blocking transport holds
 * no thread for them, where the JAX-RS sink held one each. The WAR allows 1,000 stalled writer
 * threads, so that a stream still on the sink would show here as a thread per stalled client
 * instead of being cut at the default cap.
 */
@ExtendWith(ArquillianExtension.class)
class StalledClientsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STALLED = 200;
    private static final int EVENTS = 300; // 4.8 MB: more than a stalled client's socket buffers take

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive hubWar() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war")))
                .addClass(ThreadCountServlet.class)
                .addAsResource(new StringAsset("ssekit.hub.jwt.secret=" + Tokens.SECRET + "\n"
                                + "ssekit.hub.jwt.issuer=" + Tokens.ISSUER + "\n"
                                + "ssekit.hub.resource=" + Tokens.RESOURCE + "\n"
                                + "ssekit.max.stalled.writers=1000\n"
                                + "ssekit.heartbeat=1s\n"),
                        "META-INF/microprofile-config.properties");
    }

    private URI hub() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath());
    }

    private int serverThreads() throws Exception {
        return Integer.parseInt(MercureClient.get(hub().resolve("probe/threads"), "text/plain").body().trim());
    }

    @Test
    void stalledClients_holdNoThread_healthyReaderGetsEverything() throws Exception {
        URI hub = hub();
        String publisher = Tokens.publisher("*");
        String data = "x".repeat(16 * 1024);
        List<StalledClient> stalled = new ArrayList<>();
        try (RawSseClient healthy = MercureClient.subscribeRaw(hub, "topic=stall", Map.of())) {
            int before = serverThreads();
            for (int i = 0; i < STALLED; i++) {
                stalled.add(StalledClient.open(hub, "topic=stall", WAIT));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                ids.add(MercureClient.publish(hub, publisher, "stall", data));
            }
            List<RawSseClient.Received> got = healthy.next(EVENTS, WAIT);
            assertEquals(ids, got.stream().map(RawSseClient.Received::id).toList(), "the healthy reader gets every event");
            int during = serverThreads();
            // On the sink, every stalled client held a writer thread here (up to the WAR's cap of 1,000).
            assertTrue(during - before < STALLED / 2, "threads before: " + before + ", with " + STALLED
                    + " stalled clients: " + during);
        } finally {
            for (StalledClient c : stalled) {
                c.abort();
            }
        }
    }

    @Test
    void clientsThatLeave_idleOrMidFrame_endTheirConnectionsWithNothingLogged() throws Exception {
        URI hub = hub();
        ServerLog log = ServerLog.current();
        long mark = log.mark();
        StalledClient idle = StalledClient.open(hub, "topic=leaving", WAIT);
        StalledClient midFrame = StalledClient.open(hub, "topic=leaving", WAIT);
        MercureClient.publish(hub, Tokens.publisher("*"), "leaving", "y".repeat(64 * 1024));
        midFrame.readSome(100); // within the comment or the event, never its end
        idle.close();
        midFrame.abort();
        await().atMost(WAIT).until(() -> !StalledClient.serverSideOpen(hub.getPort(), idle.localPort())
                && !StalledClient.serverSideOpen(hub.getPort(), midFrame.localPort()));
        // One more publish, so that whatever noticing a gone client writes to the log has happened.
        MercureClient.publish(hub, Tokens.publisher("*"), "leaving", "after");
        // The servers log at INFO and above: any record here was logged above DEBUG (on WildFly too:
        // not Undertow's UT005088 for closing the output of a connection that is gone).
        List<String> logged = log.recordsSince(mark);
        assertEquals(List.of(), logged, "logged while two clients left");
    }
}
