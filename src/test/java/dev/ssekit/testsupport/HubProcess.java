package dev.ssekit.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The embedded hub in a JVM of its own, started as the README's run command starts it, so that a
 * test can stop it as an operator or a crash would: SIGTERM ({@link #terminate()}) or SIGKILL
 * ({@link #kill()}).
 */
public final class HubProcess implements AutoCloseable {
    private final Process process;
    private final URI uri;
    private final StringBuilder output;

    private HubProcess(Process process, URI uri, StringBuilder output) {
        this.process = process;
        this.uri = uri;
        this.output = output;
    }

    /**
     * Starts a hub on a free loopback port and waits until it serves.
     *
     * @param env settings as environment variables (e.g. {@code SSEKIT_HISTORY_STORE})
     */
    public static HubProcess start(Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "dev.ssekit.app.embedded.EmbeddedHub").redirectErrorStream(true);
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().putAll(env);
        Process process = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("ssekit hub on http://")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the hub ended
            }
        }, "hub-output-" + port);
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            synchronized (output) {
                throw new AssertionError("hub on port " + port + " did not start:\n" + output);
            }
        }
        return new HubProcess(process, URI.create("http://127.0.0.1:" + port + "/"), output);
    }

    /** @return the hub's base URI */
    public URI uri() {
        return uri;
    }

    /** Sends SIGTERM, as an operator's stop does, and waits for the process to end. */
    public int terminate() throws InterruptedException {
        signalTerm();
        return awaitExit();
    }

    /**
     * Sends SIGTERM, as an operator's stop or a platform's does, and returns at once. Through the
     * process's handle: {@link Process#destroy()} also closes the pipe of its output, so what the
     * hub printed while it stopped (its stop's log) was never read.
     */
    public void signalTerm() {
        process.toHandle().destroy();
    }

    /** @return whether the process still runs */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGKILL, as a crash, and waits for the process to end. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit();
    }

    private int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the hub did not end within 60 s:\n" + output());
        }
        return process.exitValue();
    }

    /** @return what the hub printed so far */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
