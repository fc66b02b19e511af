package dev.ssekit.arquillian;

import dev.ssekit.arquillian.probe.ThreadProbe;
import dev.ssekit.testkit.RawSseClient;

import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Undeploy and redeploy a user's WAR while clients are connected: their streams end cleanly, no
 * ssekit thread outlives the application (a probe WAR without ssekit lists them), the WAR works
 * again after redeploy, and the server logs no error meanwhile.
 */
@ExtendWith(ArquillianExtension.class)
class RedeployIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @ArquillianResource
    private Deployer deployer;

    @ArquillianResource
    @OperateOnDeployment("probe")
    private URL probe;

    @Deployment(name = "probe", testable = false, order = 1)
    static WebArchive probeWar() {
        return ShrinkWrap.create(WebArchive.class, "probe.war").addClasses(ThreadProbe.class,
                ThreadProbe.ProbeApplication.class);
    }

    @Deployment(name = "cycled", managed = false, testable = false)
    static WebArchive cycledWar() {
        return InjectedHubIT.ordersWar("cycled.war");
    }

    private URI server() {
        return URI.create("http://127.0.0.1:" + probe.getPort() + "/");
    }

    private static boolean payara() {
        return "payara".equals(System.getProperty("arquillian.launch"));
    }

    /**
     * WildFly deploys through Arquillian; Payara Micro's adapter would start a second server
     * instead, so there the probe deploys into its own server.
     */
    private void deployCycled() throws Exception {
        if (!payara()) {
            deployer.deploy("cycled");
            return;
        }
        byte[] war;
        try (var in = cycledWar().as(ZipExporter.class).exportAsInputStream()) {
            war = in.readAllBytes();
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(probeUri("deployments/cycled"))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(war)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
    }

    private void undeployCycled() throws Exception {
        if (!payara()) {
            deployer.undeploy("cycled");
            return;
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(probeUri("deployments/cycled")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, r.statusCode(), r.body());
    }

    private URI probeUri(String path) {
        return URI.create("http://127.0.0.1:" + probe.getPort() + probe.getPath() + path);
    }

    private String ssekitThreads() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(probeUri("threads")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private String publish(URI api, String data) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("data=" + data)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void undeployEndsStreamsAndLeavesNoThreadsThenRedeployWorks() throws Exception {
        ServerLog log = ServerLog.current();
        long mark = log.mark();
        // The other test classes' WARs are undeployed by now: none may have left a thread behind.
        assertEquals("", ssekitThreads(), "ssekit threads before the first deployment");
        URI api = server().resolve("cycled/api/orders");
        for (int round = 1; round <= 2; round++) {
            deployCycled();
            try (RawSseClient hub = RawSseClient.open(api, api.getPath(), Map.of());
                 RawSseClient plain = RawSseClient.open(api, api.getPath() + "/plain", Map.of())) {
                assertEquals(200, hub.awaitStatus(WAIT));
                assertEquals(200, plain.awaitStatus(WAIT));
                assertEquals("plain", plain.next(WAIT).data());
                String id = publish(api, "round" + round);
                assertEquals(new RawSseClient.Received(id, null, "round" + round, null), hub.next(WAIT));
                assertFalse(ssekitThreads().isEmpty(), "the WAR's hubs run on ssekit threads");

                undeployCycled();
                assertTrue(hub.awaitEnd(WAIT) && hub.endedCleanly(), "hub stream, round " + round + ": "
                        + hub.failure());
                assertTrue(plain.awaitEnd(WAIT) && plain.endedCleanly(), "Conn.open stream, round " + round + ": "
                        + plain.failure());
            }
            await().atMost(WAIT).until(() -> ssekitThreads().isEmpty());
        }
        assertEquals(List.of(), log.errorsSince(mark), "errors in the server log");
    }
}
