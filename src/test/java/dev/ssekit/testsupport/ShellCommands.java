package dev.ssekit.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shell commands a Markdown page shows, read from its {@code sh} blocks and run as written. */
public final class ShellCommands {
    private ShellCommands() {
    }

    /** The text from {@code heading} (a whole line) to the next heading of level 2. */
    public static String section(String markdown, String heading) {
        int start = markdown.indexOf(heading + "\n");
        assertTrue(start >= 0, "no heading " + heading);
        int end = markdown.indexOf("\n## ", start + heading.length());
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** Each {@code sh} block as written, to run as one script. */
    public static List<String> scripts(String markdown) {
        List<String> scripts = new ArrayList<>();
        Matcher block = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        while (block.find()) {
            scripts.add(block.group(1));
        }
        return scripts;
    }

    /**
     * Each {@code sh} block's commands: every line without its comment (a line continued with a
     * backslash joined to the next), comment and blank lines dropped.
     */
    public static List<List<String>> blocks(String markdown) {
        List<List<String>> blocks = new ArrayList<>();
        for (String script : scripts(markdown)) {
            List<String> commands = new ArrayList<>();
            for (String line : script.replaceAll("\\\\\n\\s*", "").split("\n")) {
                String command = line.startsWith("#") ? "" : line.replaceFirst("\\s+#.*$", "").strip();
                if (!command.isEmpty()) {
                    commands.add(command);
                }
            }
            blocks.add(commands);
        }
        return blocks;
    }

    /** Skips or fails the calling test (as for a missing service) unless {@code program} is on the PATH. */
    public static void requireOnPath(String program) throws IOException, InterruptedException {
        Process which = new ProcessBuilder("sh", "-c", "command -v " + program).start();
        if (which.waitFor() != 0) {
            Services.missing(program + " is not on the PATH");
        }
    }

    /**
     * Runs {@code command} with {@code sh -c}, its standard output collected; its standard error is
     * dropped (curl prints its progress meter there when its output is not a terminal).
     */
    public static Output start(String command) throws IOException {
        return Output.of(new ProcessBuilder("sh", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD));
    }

    /** A process and what it has printed so far, read on a thread of its own. */
    public record Output(Process process, ByteArrayOutputStream bytes, Thread reader) {
        public static Output of(ProcessBuilder command) throws IOException {
            Process process = command.start();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] chunk = new byte[8192];
                    for (int n; (n = in.read(chunk)) > 0; ) {
                        bytes.write(chunk, 0, n); // synchronized: text() may read meanwhile
                    }
                } catch (IOException ignored) {
                    // the process ended or was destroyed: what it printed is kept
                }
            }, "shell-command-output");
            reader.setDaemon(true);
            reader.start();
            return new Output(process, bytes, reader);
        }

        /**
         * Waits for the process to exit and for its output to be read to the end.
         *
         * @return the exit code
         * @throws AssertionError if it did not exit within {@code timeout}
         */
        public int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + ": " + text());
            }
            reader.join(timeout.toMillis());
            return process.exitValue();
        }

        /** What the process printed so far. */
        public String text() {
            return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        }
    }
}
