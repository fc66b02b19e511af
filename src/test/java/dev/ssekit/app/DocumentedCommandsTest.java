package dev.ssekit.app;

import dev.ssekit.testsupport.ShellCommands;
import dev.ssekit.testsupport.ShellCommands.Output;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ssekit.testsupport.ShellCommands.section;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell commands of the README and of the hub's and operations' guides, run as they are written:
 * the run command (on a free port: {@code PORT} set, {@code localhost:8080} replaced by the hub's
 * address, nothing else changed) and the curl commands against the hub it started.
 */
class DocumentedCommandsTest {
    private static final Duration START = Duration.ofMinutes(3); // Maven, the compile check, then the hub
    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final Pattern STARTED = Pattern.compile("ssekit hub on http://localhost:(\\d+)/");

    @Test
    void readme_runCommandStartsTheHub_andItsCurlCommandsSubscribePublishAndReplay_andTheMetricsAnswer()
            throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String run = ShellCommands.blocks(section(readme, "## Two commands")).get(0).get(0);
        assertEquals("mvn -q compile exec:java", run, "the README's run command");
        List<String> curls = ShellCommands.blocks(section(readme, "## Run the hub")).get(0);
        assertEquals(3, curls.size(), "subscribe, publish, replay: " + curls);
        List<String> tried = ShellCommands.blocks(section(Files.readString(Path.of("docs/hub.md")), "## Try it with curl")).get(0);
        assertTrue(tried.containsAll(curls), "docs/hub.md tries the README's commands: " + tried);
        List<String> scrape = ShellCommands.blocks(Files.readString(Path.of("docs/operations.md"))).stream()
                .filter(block -> block.get(0).contains("/metrics")).findFirst().orElseThrow();
        requireTools();

        Output hub = startHub(run, "0");
        try {
            String base = "http://127.0.0.1:" + port(hub);
            Output subscriber = ShellCommands.start(at(curls.get(0), base));
            try {
                await().atMost(ANSWER).until(() -> subscriber.text().startsWith(":")); // the hub's first comment: subscribed
                Output publish = ShellCommands.start(at(curls.get(1), base));
                assertEquals(0, publish.awaitExit(ANSWER), publish.text());
                String id = publish.text().strip();
                assertTrue(id.startsWith("urn:uuid:"), "the publish answers the event's id: " + publish.text());
                String event = "event: created\nid: " + id + "\ndata: {\"id\":1}\n\n";
                await().atMost(ANSWER).untilAsserted(() -> assertTrue(subscriber.text().contains(event), subscriber.text()));

                Output replay = ShellCommands.start(at(curls.get(2), base));
                try {
                    await().atMost(ANSWER).untilAsserted(() -> assertTrue(replay.text().contains(event), replay.text()));
                } finally {
                    replay.process().destroy();
                }

                // docs/operations.md, "Scraping the embedded hub": the metrics, then readiness
                assertEquals(2, scrape.size(), scrape.toString());
                Output metrics = finished(ShellCommands.start(at(scrape.get(0), base)));
                // the subscriber, and the replay's client until the hub sees it gone
                assertTrue(Pattern.compile("(?m)^ssekit_clients [12]\\.0$").matcher(metrics.text()).find(), metrics.text());
                assertTrue(Pattern.compile("(?m)^ssekit_events_published_total\\{.*} 1\\.0$").matcher(metrics.text()).find(),
                        metrics.text());
                Output ready = finished(ShellCommands.start(at(scrape.get(1), base)));
                assertTrue(ready.text().startsWith("{\"status\":\"UP\""), ready.text());
            } finally {
                subscriber.process().destroy();
            }
        } finally {
            stop(hub);
        }
    }

    /** docs/hub.md's token example, run as one script: a publish and a subscription with an HS256 token. */
    @Test
    void hubGuide_tokenScriptPublishesAPrivateUpdateItsSubscriberReceives() throws Exception {
        String hubGuide = Files.readString(Path.of("docs/hub.md"));
        String script = ShellCommands.scripts(hubGuide).stream()
                .filter(s -> s.startsWith("export SSEKIT_HUB_JWT_SECRET=")).findFirst().orElseThrow();
        requireTools();
        ShellCommands.requireOnPath("openssl");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ProcessBuilder run = new ProcessBuilder("sh", "-c", at(script, "http://127.0.0.1:" + port))
                .redirectErrorStream(true);
        run.environment().put("PORT", String.valueOf(port));
        Output out = Output.of(run);
        try {
            await().atMost(START).untilAsserted(() -> assertTrue(out.text().contains("data: secret\n\n"), out.text()));
            assertTrue(out.text().contains("Publishing needs a JWT"), "the hub asked for tokens: " + out.text());
        } finally {
            stop(out);
        }
    }

    /** docs/operations.md's run commands with a shared store: the hub starts on PostgreSQL, and on Redis. */
    @Test
    void operationsGuide_runCommandsWithPostgresAndRedisStartTheHubOnThatStore() throws Exception {
        List<String> commands = ShellCommands.blocks(Files.readString(Path.of("docs/operations.md"))).stream()
                .filter(block -> block.get(0).startsWith("SSEKIT_HISTORY_STORE=")).findFirst().orElseThrow();
        assertEquals(3, commands.size(), commands.toString());
        requireTools();
        Services.requirePostgres();
        Services.requireRedis();
        for (String[] expected : new String[][] {{commands.get(1), "JdbcHistoryStore"}, {commands.get(2), "RedisHistoryStore"}}) {
            assertTrue(expected[0].endsWith("mvn -q compile exec:java"), expected[0]);
            Output hub = startHub(expected[0], "0");
            try {
                port(hub);
                Matcher store = Pattern.compile("history store: (\\w+)").matcher(hub.text());
                assertTrue(store.find(), hub.text());
                assertEquals(expected[1], store.group(1), hub.text());
            } finally {
                stop(hub);
            }
        }
    }

    private static void requireTools() throws Exception {
        ShellCommands.requireOnPath("mvn");
        ShellCommands.requireOnPath("curl");
    }

    /** {@code command} with the documented address, {@code http://localhost:8080}, replaced by {@code base}. */
    private static String at(String command, String base) {
        return command.replace("http://localhost:8080", base);
    }

    private static Output startHub(String command, String port) throws IOException {
        ProcessBuilder hub = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        hub.environment().put("PORT", port);
        return Output.of(hub);
    }

    /** The port the hub said it listens on, once it has said so. */
    private static int port(Output hub) {
        await().atMost(START).until(() -> STARTED.matcher(hub.text()).find() || !hub.process().isAlive());
        Matcher started = STARTED.matcher(hub.text());
        assertTrue(started.find(), "the hub did not start:\n" + hub.text());
        return Integer.parseInt(started.group(1));
    }

    private static Output finished(Output command) throws InterruptedException {
        assertEquals(0, command.awaitExit(ANSWER), command.text());
        return command;
    }

    /** Ctrl-C's signal to the script and what it started (Maven's JVM runs the hub: it ends every stream and exits). */
    private static void stop(Output started) throws InterruptedException {
        List<ProcessHandle> all = started.process().descendants().toList();
        all.forEach(ProcessHandle::destroy);
        started.process().destroy();
        for (ProcessHandle p : all) {
            p.onExit().orTimeout(1, TimeUnit.MINUTES).join();
        }
        assertTrue(started.process().waitFor(1, TimeUnit.MINUTES), "stopped on SIGTERM:\n" + started.text());
    }
}
