package dev.ssekit.app;

import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.ShellCommands;
import dev.ssekit.testsupport.ShellCommands.Output;
import dev.ssekit.testsupport.Tokens;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub guide's commands that deploy the hub WAR (docs/hub.md, "Deploying the WAR"), run after
 * packaging on the servers the build fetched: Payara Micro's first command and WildFly's two, as
 * written but for what a test must set (the secret the guide writes as {@code ...}, where the jar,
 * the server and Redis are here, and a free loopback port), then a subscriber and a publish with a
 * token signed by that secret.
 */
class DeployCommandsIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration START = Duration.ofMinutes(5); // a server's start on a loaded machine
    private static final Path WAR = built("ssekit.war");

    @Test
    void payaraMicro_theGuidesCommandServesTheHub() throws Exception {
        List<String> commands = block("**Payara**");
        String command = commands.get(0);
        assertTrue(command.contains("java -jar payara-micro-6.2025.10.jar --deploy target/" + WAR.getFileName()),
                "the guide names the jar and the WAR this build made: " + command);
        int port = freePort();
        String run = secret(command)
                .replace("payara-micro-6.2025.10.jar", built("ssekit.payara.micro").toString())
                .replace("target/" + WAR.getFileName(), WAR.toString())
                + " --port " + port + " --nocluster --disablephonehome";
        Output server = ShellCommands.start(run);
        try {
            subscribeAndPublish(URI.create("http://127.0.0.1:" + port + "/"), server);
        } finally {
            stop(server);
        }
    }

    @Test
    void wildFly_theGuidesCommandsServeTheHubOnRedis() throws Exception {
        Services.requireRedis();
        List<String> commands = block("**WildFly**");
        assertEquals(2, commands.size(), commands.toString());
        assertEquals("cp target/" + WAR.getFileName() + " $JBOSS_HOME/standalone/deployments/", commands.get(0));
        Path home = Files.createTempDirectory("ssekit-deploy-wildfly");
        String prefix = "ssekit-deploy-it-" + UUID.randomUUID() + ":";
        Output server = null;
        try {
            // A server of its own: the container tests' WildFly must not find the hub deployed.
            Output copy = ShellCommands.start("cp -r '" + built("ssekit.wildfly.home") + "/.' '" + home + "'");
            assertEquals(0, copy.awaitExit(START), copy.text());
            int offset = wildFlyPortOffset();
            String env = "JBOSS_HOME='" + home + "'; cd '" + WAR.getParent().getParent() + "'; ";
            Output deployed = ShellCommands.start(env + commands.get(0));
            assertEquals(0, deployed.awaitExit(Duration.ofMinutes(1)), deployed.text());
            server = ShellCommands.start(env + "SSEKIT_HISTORY_REDIS_KEY_PREFIX='" + prefix + "' "
                    + secret(commands.get(1)).replace("redis://redis.internal:6379", "redis://127.0.0.1:6379")
                    + " -Djboss.socket.binding.port-offset=" + offset + " -Djboss.bind.address=127.0.0.1"
                    + " -Djboss.bind.address.management=127.0.0.1");
            // WildFly's context root is the file's name.
            subscribeAndPublish(URI.create("http://127.0.0.1:" + (8080 + offset) + "/"
                    + WAR.getFileName().toString().replaceFirst("\\.war$", "") + "/"), server);
            assertEquals(1, RedisKeys.streamLength(RedisKeys.key(prefix, "topic:deployed")), "the event is in Redis");
        } finally {
            if (server != null) {
                stop(server);
            }
            RedisKeys.deleteAll(prefix);
            ShellCommands.start("rm -rf '" + home + "'").awaitExit(Duration.ofMinutes(1));
        }
    }

    /** A subscriber of topic "deployed" gets what a publisher with a token signed by the guide's secret sends. */
    private static void subscribeAndPublish(URI hub, Output server) throws Exception {
        URI mercure = hub.resolve(".well-known/mercure");
        // Deployed once the hub answers an anonymous publish as the WAR does: 401 (404 before).
        AtomicReference<String> last = new AtomicReference<>("no answer");
        try {
            await().atMost(START).pollInterval(Duration.ofSeconds(1)).until(() -> {
                assertTrue(server.process().isAlive(), "the server stopped:\n" + server.text());
                try {
                    int status = HTTP.send(HttpRequest.newBuilder(mercure).POST(HttpRequest.BodyPublishers.ofString(
                            "topic=x")).header("Content-Type", "application/x-www-form-urlencoded").build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    last.set("answered " + status);
                    return status == 401;
                } catch (IOException e) {
                    last.set(e.toString());
                    return false; // not listening yet
                }
            });
        } catch (ConditionTimeoutException e) {
            String output = server.text();
            throw new AssertionError("the hub at " + mercure + " was not deployed within " + START + " (last: "
                    + last.get() + "); the server's output, its end:\n"
                    + output.substring(Math.max(0, output.length() - 20_000)), e);
        }
        try (SseRecorder events = SseRecorder.to(URI.create(mercure + "?topic=deployed")).open()) {
            assertEquals(200, events.status());
            HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(mercure)
                    .header("Authorization", "Bearer " + Tokens.publisher("deployed"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("topic=deployed&data=hello")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, published.statusCode(), published.body());
            events.assertEvent(published.body(), null, "hello");
        }
    }

    /** The guide's {@code SSEKIT_HUB_JWT_SECRET=...} given the secret the test's tokens are signed with. */
    private static String secret(String command) {
        assertTrue(command.startsWith("SSEKIT_HUB_JWT_SECRET=... "), command);
        return command.replace("SSEKIT_HUB_JWT_SECRET=...", "SSEKIT_HUB_JWT_SECRET='" + Tokens.SECRET + "'");
    }

    /** The commands of the first sh block after {@code marker} in docs/hub.md. */
    private static List<String> block(String marker) throws IOException {
        String guide = Files.readString(Path.of("docs/hub.md"));
        int at = guide.indexOf(marker);
        assertTrue(at >= 0, "docs/hub.md has no " + marker);
        return ShellCommands.blocks(guide.substring(at)).get(0);
    }

    /** WildFly's standalone ports (ajp, http, https, management http and https, the transaction manager's two). */
    private static final int[] WILDFLY_PORTS = {8009, 8080, 8443, 9990, 9993, 4712, 4713};

    /**
     * @return a port offset under which every one of WildFly's ports is free now, below the ephemeral
     *         range (32768 up), so that no client's connection takes one before WildFly binds it (an
     *         offset from a free ephemeral port put some of them there); the container tests use 1100
     */
    private static int wildFlyPortOffset() {
        for (int offset = 10_000; offset < 20_000; offset += 37) {
            if (allFree(offset)) {
                return offset;
            }
        }
        throw new IllegalStateException("no port offset from 10,000 to 20,000 has WildFly's ports free");
    }

    private static boolean allFree(int offset) {
        for (int port : WILDFLY_PORTS) {
            try (ServerSocket probe = new ServerSocket(port + offset, 1, java.net.InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    /** SIGTERM to the command and what it started (the server's JVM), as an operator's stop. */
    private static void stop(Output server) throws InterruptedException {
        List<ProcessHandle> all = server.process().descendants().toList();
        all.forEach(ProcessHandle::destroy);
        server.process().destroy();
        for (ProcessHandle p : all) {
            p.onExit().completeOnTimeout(p, 1, TimeUnit.MINUTES).join();
            if (p.isAlive()) {
                p.destroyForcibly(); // a stop past a minute: not what this test checks
            }
        }
        server.process().waitFor(1, TimeUnit.MINUTES);
    }

    /** A path the build's failsafe execution names in {@code property}; fails clearly when run outside it. */
    private static Path built(String property) {
        String path = System.getProperty(property);
        if (path == null || !new File(path).exists()) {
            throw new IllegalStateException("-D" + property + " must name what the build made (mvn verify sets it)");
        }
        return Path.of(path);
    }
}
