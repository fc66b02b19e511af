package dev.ssekit.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * (t) SIGTERM to the embedded hub (issue 21): the hub app's own main, on PostgreSQL, holding N
 * streams of one topic while {@value #PUBLISHERS} publishers post events back to back, each on its
 * own connection; after a few seconds of that, SIGTERM, the publishers still posting. Measured from
 * the signal: the first {@code 503} any publisher gets, and the process's exit. Checked after the exit: every acknowledged event is in the store, and how many streams got
 * every acknowledged event and then a clean end (the chunked terminator), with no gap or duplicate.
 */
final class StopScenario {
    private static final String TOPIC = "t-stop";
    private static final int PG_PORT = 5432;
    private static final String PG_URL = pgUrl(PG_PORT);
    /** Publishers posting through the stop, each back to back on its own connection. */
    static final int PUBLISHERS = 4;

    /** The bad day's store: every byte to PostgreSQL this much later (so every round trip). */
    static final long SLOW_STORE_MILLIS = 50;
    /** The bad day's streams that never read, one in this many. */
    static final int STALLED_ONE_IN = 10;
    /** The bad day's event size: enough to fill a stalled stream's socket buffers before the signal. */
    static final int BAD_DAY_EVENT_BYTES = 4096;

    private final boolean quick;
    private final boolean badDay;

    /**
     * @param badDay PostgreSQL behind a link that delays every byte sent to it by
     *               {@value #SLOW_STORE_MILLIS} ms, and one stream in {@value #STALLED_ONE_IN} a
     *               client that never reads (events of {@value #BAD_DAY_EVENT_BYTES} bytes, so that
     *               their socket buffers fill before the signal)
     */
    StopScenario(boolean quick, boolean badDay) {
        this.quick = quick;
        this.badDay = badDay;
    }

    String run(List<PublishScenario.Version> versions) throws Exception {
        int streams = quick ? 1_000 : 10_000;
        long publishMs = quick ? 2_000 : 5_000;
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "(t) SIGTERM: the embedded hub (its own main, PostgreSQL store, default "
                + "settings: shutdown timeout 20 s) holding %,d streams of one topic; %d publishers post back to back "
                + "for %.0f s, then the hub gets SIGTERM while they go on%s%n%n", streams, PUBLISHERS, publishMs / 1000.0,
                badDay ? String.format(Locale.ROOT, "; a bad day (--bad-day): every byte to PostgreSQL %d ms late, %,d of "
                        + "the streams never read (events of %,d bytes); the stream counts are the reading streams'",
                        SLOW_STORE_MILLIS, streams / STALLED_ONE_IN, BAD_DAY_EVENT_BYTES) : ""));
        t.append("| version | streams open | acknowledged | first 503 after SIGTERM | slowest 503 to a publish sent after "
                + "SIGTERM | 200s after SIGTERM | exit after SIGTERM | exit code | streams ended cleanly | streams with every "
                + "acknowledged event | broken | gaps | duplicates | acknowledged, not stored |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PublishScenario.Version v : versions) {
            try {
                t.append(once(v, streams, publishMs));
            } catch (IOException | IllegalStateException e) {
                t.append(String.format(Locale.ROOT, "| %s | failed: %s | | | | | | | | | | | | |%n", v.label(), e));
            }
        }
        t.append('\n');
        return t.toString();
    }

    private String once(PublishScenario.Version v, int streams, long publishMs) throws Exception {
        String prefix = "ssekit_bench_stop_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
        int port = Bench.nextPort();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-XX:+UseG1GC",
                "-Djava.util.logging.config.file=" + Paths.get("src/main/resources/logging.properties").toAbsolutePath(),
                "-cp", v.classPath(), "dev.ssekit.app.embedded.EmbeddedHub"));
        // The hub's own JVM options (a flight recording, a GC log), as BENCH_SERVER_OPTS are the bench server's;
        // after the defaults, so that they may override them (-XX:-UseG1GC -XX:+UseZGC).
        String extra = System.getenv("BENCH_HUB_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(3, Arrays.asList(extra.trim().split("\\s+")));
        }
        int stalled = badDay ? streams / STALLED_ONE_IN : 0;
        int readers = streams - stalled;
        List<Socket> neverRead = new ArrayList<>();
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("SSEKIT_HISTORY_STORE", "jdbc");
        SlowLink slowStore = badDay ? new SlowLink(new InetSocketAddress("127.0.0.1", PG_PORT), SLOW_STORE_MILLIS) : null;
        pb.environment().put("SSEKIT_HISTORY_JDBC_URL", slowStore == null ? PG_URL : pgUrl(slowStore.port()));
        pb.environment().put("SSEKIT_HISTORY_JDBC_USER", "postgres");
        pb.environment().put("SSEKIT_HISTORY_JDBC_TABLE_PREFIX", prefix);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(Paths.get("target", "bench-stop-hub.log").toFile()));
        Bench.progress("(t) " + v.label() + ": starting the hub on port " + port);
        Process hub;
        try {
            hub = pb.start();
        } catch (IOException e) {
            closeQuietly(slowStore);
            throw e;
        }
        try (SseClient client = new SseClient(new InetSocketAddress("127.0.0.1", port))) {
            Bench.awaitLine(hub, "ssekit hub on http", "the hub did not start; see bench/target/bench-stop-hub.log");
            for (int i = 0; i < stalled; i++) {
                neverRead.add(subscribeNeverReading(port));
            }
            client.open(readers, "/.well-known/mercure?topic=" + TOPIC, null);
            long openDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (client.ready.get() + client.badStatus.get() + client.errors.get() < readers
                    && System.nanoTime() < openDeadline) {
                Thread.sleep(50);
            }
            long open = client.ready.get();
            Bench.progress("(t) " + v.label() + ": " + open + " streams open" + (stalled > 0 ? " and " + stalled
                    + " that never read" : "") + "; publishing");

            URI publish = URI.create("http://127.0.0.1:" + port + "/.well-known/mercure");
            List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
            AtomicLong sigterm = new AtomicLong();
            AtomicLong first503 = new AtomicLong(Long.MAX_VALUE);
            AtomicLong okAfter = new AtomicLong();
            AtomicLong slowest503 = new AtomicLong(-1);
            List<String> afterSignal = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Exception> failed = new AtomicReference<>();
            List<Thread> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                Thread t = new Thread(() -> {
                    try {
                        publishUntilStopped(publisher, publish, hub, sigterm, acknowledged, first503, okAfter,
                                slowest503, afterSignal, badDay ? BAD_DAY_EVENT_BYTES : 0);
                    } catch (Exception e) {
                        failed.compareAndSet(null, e);
                    }
                }, "stop-publisher-" + p);
                t.setDaemon(true);
                publishers.add(t);
                t.start();
            }
            Thread.sleep(publishMs); // the publishers run meanwhile: this is the load, not a wait for them
            if (failed.get() != null) {
                throw new IllegalStateException("a publisher failed before the signal: " + failed.get());
            }
            // The exit's time as the process ends, not when the publishers notice.
            CompletableFuture<Long> exitedAt = hub.onExit().thenApply(h -> System.nanoTime());
            if (stalled > 0) {
                Bench.progress("(t) " + v.label() + ": before the signal, " + unsentBytes(port));
            }
            sigterm.set(System.nanoTime());
            hub.destroy(); // SIGTERM
            Bench.progress("(t) " + v.label() + ": SIGTERM sent, " + PUBLISHERS + " publishers running");
            for (Thread t : publishers) {
                t.join(TimeUnit.SECONDS.toMillis(90));
            }
            boolean exited = hub.waitFor(60, TimeUnit.SECONDS);
            long exit = exited ? exitedAt.get(10, TimeUnit.SECONDS) - sigterm.get() : -1;
            // The streams' ends have reached the client by the time the process is gone; give the
            // selector a moment to read the last bytes before counting.
            long countDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (client.closedByServer.get() + client.errors.get() < open && System.nanoTime() < countDeadline) {
                Thread.sleep(20);
            }
            long everything = 0;
            long fewest = Long.MAX_VALUE;
            long most = 0;
            for (int i = 0; i < readers; i++) {
                long got = client.received(i);
                fewest = Math.min(fewest, got);
                most = Math.max(most, got);
                if (got >= acknowledged.size()) {
                    everything++;
                }
            }
            Bench.progress("(t) " + v.label() + ": " + acknowledged.size() + " acknowledged; a stream received "
                    + fewest + " to " + most + " events");
            Bench.progress("(t) " + v.label() + ": the publishes answered after SIGTERM (ms from it): "
                    + String.join("; ", afterSignal));
            long notStored = notStored(prefix, acknowledged);
            return String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s | %,d | %s | %s | %,d | %,d | %,d | %,d | %,d | %,d |%n",
                    v.label(), open, acknowledged.size(), first503.get() == Long.MAX_VALUE ? "none" : ms(first503.get()),
                    slowest503.get() < 0 ? "none" : ms(slowest503.get()), okAfter.get(),
                    exited ? ms(exit) : "not within 60 s", exited ? Integer.toString(hub.exitValue()) : "-",
                    client.closedByServer.get(), everything, client.errors.get(), client.gaps.get(),
                    client.duplicates.get(), notStored);
        } finally {
            hub.destroyForcibly();
            neverRead.forEach(StopScenario::closeQuietly);
            closeQuietly(slowStore);
            dropTables(prefix);
        }
    }

    /** @return how many of the hub's connections hold bytes their client has not taken (Send-Q, from ss) */
    private static String unsentBytes(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + port + " )")
                .redirectErrorStream(true).start();
        long withUnsent = 0;
        long over16k = 0;
        long most = 0;
        for (String line : new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].matches("\\d+")) {
                long sendQ = Long.parseLong(f[1]);
                withUnsent += sendQ > 0 ? 1 : 0;
                over16k += sendQ >= 16 * 1024 ? 1 : 0;
                most = Math.max(most, sendQ);
            }
        }
        ss.waitFor();
        return String.format(Locale.ROOT, "%,d of the hub's connections held unsent bytes (%,d of them 16 KiB or more, "
                + "at most %,d bytes)", withUnsent, over16k, most);
    }

    /**
     * A subscriber that sends its request and never reads: a receive buffer of 4 KiB, so that what the
     * hub sends it soon fills its socket's buffers and the hub's writes to it stall.
     */
    private static Socket subscribeNeverReading(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setReceiveBufferSize(4096); // before the connect, so that the window is small from the start
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.getOutputStream().write(("GET /.well-known/mercure?topic=" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + port + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return s;
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("(t): could not close " + c + ": " + e);
        }
    }

    private static String pgUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test";
    }

    /**
     * One publisher: posts back to back on its own keep-alive connection until the stop closes the
     * listener or the process is gone. Publisher 0 numbers its events ({@code seq}), so that every
     * stream's copy of them is checked for gaps and duplicates; the others' events have no common
     * order with its and are counted only. A publish sent after the signal and refused notes how long its
     * 503 took ({@code slowest503}): how soon the stopping hub refuses, without the publish each
     * publisher still had in flight at the signal, which the first 503 waits for.
     */
    private static void publishUntilStopped(int publisher, URI publish, Process hub, AtomicLong sigterm,
                                            List<String> acknowledged, AtomicLong first503, AtomicLong okAfter,
                                            AtomicLong slowest503, List<String> afterSignal, int eventBytes)
            throws IOException, InterruptedException {
        String item = Payload.ITEM.repeat(Math.max(1, eventBytes / Payload.ITEM.length()));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (long n = 0; ; ) { // publisher 0's numbers count acknowledged events: a refused one is no gap
            String data = "{" + (publisher == 0 ? "\"seq\":" + n + "," : "\"publisher\":" + publisher + ",")
                    + "\"sent\":" + System.nanoTime() + ",\"item\":\"" + item + "\"}";
            HttpResponse<String> r;
            boolean sentAfterSignal = sigterm.get() != 0;
            long sent = System.nanoTime();
            try {
                r = http.send(HttpRequest.newBuilder(publish).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("topic=" + TOPIC + "&data="
                                + URLEncoder.encode(data, StandardCharsets.UTF_8)))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (sigterm.get() != 0) {
                    return; // the listener is closed: the stop is under way or done
                }
                throw e;
            }
            long signalled = sigterm.get();
            if (signalled != 0) {
                long done = System.nanoTime();
                afterSignal.add(String.format(Locale.ROOT, "p%d sent %d, %d at %d", publisher,
                        TimeUnit.NANOSECONDS.toMillis(sent - signalled), r.statusCode(),
                        TimeUnit.NANOSECONDS.toMillis(done - signalled)));
            }
            if (r.statusCode() == 200) {
                n++;
                acknowledged.add(r.body().trim());
                if (signalled != 0) {
                    okAfter.incrementAndGet();
                }
            } else if (r.statusCode() == 503 && signalled != 0) {
                long now = System.nanoTime();
                first503.accumulateAndGet(now - signalled, Math::min);
                if (sentAfterSignal) {
                    slowest503.accumulateAndGet(now - sent, Math::max);
                }
            } else if (signalled == 0) {
                throw new IllegalStateException("publish answered " + r.statusCode() + ": " + r.body());
            }
            if (signalled != 0 && !hub.isAlive()) {
                return;
            }
        }
    }

    /** @return how many acknowledged ids the store does not hold */
    private static long notStored(String prefix, List<String> acknowledged) throws Exception {
        Set<String> stored = new HashSet<>();
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM " + prefix + "event")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        return acknowledged.stream().filter(id -> !stored.contains(id)).count();
    }

    private static void dropTables(String prefix) {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", null); Statement s = c.createStatement()) {
            for (String table : new String[]{"event_topic", "event", "topic", "meta"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        } catch (java.sql.SQLException e) {
            System.err.println("could not drop the bench tables " + prefix + "*: " + e.getMessage());
        }
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%,d ms", TimeUnit.NANOSECONDS.toMillis(nanos));
    }
}
