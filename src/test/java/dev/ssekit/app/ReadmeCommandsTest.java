package dev.ssekit.app;

import dev.ssekit.testsupport.ShellCommands;
import dev.ssekit.testsupport.ShellCommands.Output;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static dev.ssekit.testsupport.ShellCommands.section;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command and the hub's curl commands, run as the README writes them: the first of
 * the two commands (on a free port, {@code PORT=0}), then each curl line of "Run the hub" against the
 * hub it started, with only {@code localhost:8080} replaced by that hub's address.
 */
class ReadmeCommandsTest {
    private static final Duration START = Duration.ofMinutes(3); // Maven, the compile check, then the hub
    private static final Duration ANSWER = Duration.ofSeconds(30);

    @Test
    void runCommand_startsTheHub_andTheHubsCurlCommandsSubscribePublishAndReplay() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String run = ShellCommands.blocks(section(readme, "## Two commands")).get(0).get(0);
        assertEquals("mvn -q compile exec:java", run, "the README's run command");
        List<String> curls = ShellCommands.blocks(section(readme, "## Run the hub")).get(0);
        assertEquals(3, curls.size(), "subscribe, publish, replay: " + curls);
        ShellCommands.requireOnPath("mvn");
        ShellCommands.requireOnPath("curl");

        ProcessBuilder hubCommand = new ProcessBuilder("sh", "-c", run).redirectErrorStream(true);
        hubCommand.environment().put("PORT", "0");
        Output hub = Output.of(hubCommand);
        try {
            await().atMost(START).until(() -> hub.text().contains("ssekit hub on http://") || !hub.process().isAlive());
            Matcher address = Pattern.compile("ssekit hub on (http://localhost:\\d+)/").matcher(hub.text());
            assertTrue(address.find(), hub.text());
            String base = address.group(1).replace("localhost", "127.0.0.1"); // loopback, as the hub listens

            Output subscriber = curl(curls.get(0), base);
            try {
                await().atMost(ANSWER).until(() -> subscriber.text().startsWith(":")); // the hub's first comment: subscribed
                Output publish = curl(curls.get(1), base);
                assertTrue(publish.process().waitFor(ANSWER.toSeconds(), TimeUnit.SECONDS), "publish answered");
                assertEquals(0, publish.process().exitValue(), publish.text());
                String id = publish.text().strip();
                assertTrue(id.startsWith("urn:uuid:"), "the publish answers the event's id: " + publish.text());
                String event = "event: created\nid: " + id + "\ndata: {\"id\":1}\n\n";
                await().atMost(ANSWER).untilAsserted(() -> assertTrue(subscriber.text().contains(event), subscriber.text()));

                Output replay = curl(curls.get(2), base);
                try {
                    await().atMost(ANSWER).untilAsserted(() -> assertTrue(replay.text().contains(event), replay.text()));
                } finally {
                    replay.process().destroy();
                }
            } finally {
                subscriber.process().destroy();
            }
        } finally {
            // Ctrl-C's signal to Maven's JVM, which runs the hub: it ends every stream and exits.
            hub.process().descendants().forEach(ProcessHandle::destroy);
            hub.process().destroy();
            assertTrue(hub.process().waitFor(1, TimeUnit.MINUTES), "the hub stopped on SIGTERM:\n" + hub.text());
        }
    }

    private static Output curl(String command, String base) throws IOException {
        return ShellCommands.start(command.replace("http://localhost:8080", base));
    }
}
