package dev.ssekit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark driver: starts {@link BenchServer} as a child JVM (so that its heap and RSS are the
 * server's alone), opens subscribers with {@link SseClient} in this JVM, drives publishing through the
 * server's admin resource, and prints a Markdown report. Every scenario runs through ssekit's
 * {@code Topic} and through the plain {@code SseBroadcaster}, on the same server.
 *
 * <pre>bench/run [--quick] [--only a,b,c,d] [--sides hub,raw] [--no-jmh] [--jmh-only]</pre>
 */
public final class Bench {
    /** Events in flight (published, not yet received by the slowest subscriber) in scenario (a). */
    private static final int WINDOW = 200;
    private static final int CHUNK = 50;

    private final boolean quick;
    /**
     * ssekit ({@code hub}), the plain broadcaster ({@code raw}) and, on the embedded server, the raw NIO
     * baseline with and without batching ({@link RawNioServer}); {@code --sides hub} for quick before/after
     * checks of a library change.
     */
    private static String[] sides = {"hub", "raw", "nio", "nio-batched"};
    /** --telemetry: the bench server records ssekit's metrics and spans (OpenTelemetry SDK), as the embedded hub does. */
    private static boolean telemetry;
    /** --rounds K: (a) K times over, for paired ratios between the sides. */
    private static int rounds = 1;
    /** The embedded bench server's JVM, or null when {@link #app} is used. */
    private final Process server;
    private final OutputStream serverStdin;
    /** {@code --server payara|wildfly}: the hub WAR and raw.war on that server; null for the embedded server. */
    private final AppServer app;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final SseClient client;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long baselineFds;

    record Row(String scenario, String side, int subscribers, long events, double deliveriesPerSec,
               String p50, String p99, String max, long errors, long drops, long heapBytes, long rssBytes,
               double heapPerConn, long p99Micros) {
    }

    private static String sideName(String side) {
        return switch (side) {
            case "hub" -> "ssekit";
            case "raw" -> "the plain broadcaster";
            case "nio" -> "the raw NIO server";
            case "nio-batched" -> "the raw NIO server with batched writes";
            default -> side;
        };
    }

    /** The version this server runs (a label for the report). */
    private final String label;

    /** On a Jakarta EE server: the hub WAR and the plain broadcaster's raw.war side by side ({@link AppServer}). */
    private Bench(boolean quick, AppServer app) throws Exception {
        this.quick = quick;
        this.label = app.kind;
        this.app = app;
        this.server = null;
        this.serverStdin = null;
        this.port = app.port;
        client = new SseClient(new InetSocketAddress("127.0.0.1", port));
        baselineFds = Long.parseLong(stats(false).get("fds"));
    }

    /** Starts {@link BenchServer} on {@code classPath}: this tree's, or an older tree's build (--before). */
    private Bench(boolean quick, String classPath, String label) throws Exception {
        this.quick = quick;
        this.label = label;
        this.app = null;
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx4g", "-XX:+UseG1GC",
                "-Djava.util.logging.config.file=" + Paths.get("src/main/resources/logging.properties").toAbsolutePath(),
                "-cp", classPath, BenchServer.class.getName(), Integer.toString(nextPort())));
        if (telemetry) {
            cmd.add(1, "-Dbench.telemetry=true");
        }
        String extra = System.getenv("BENCH_SERVER_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(1, Arrays.asList(extra.trim().split("\\s+")));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(Paths.get("target", "bench-server.log").toFile()));
        server = pb.start();
        serverStdin = server.getOutputStream();
        String ready = awaitLine(server, "READY ", "the bench server did not start; see bench/target/bench-server.log");
        port = Integer.parseInt(ready.substring(6).trim());
        client = new SseClient(new InetSocketAddress("127.0.0.1", port));
        baselineFds = Long.parseLong(stats(false).get("fds"));
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean badDay = false; // (t) with a slow store and streams that never read
        boolean jmh = true;
        boolean scenarios = true;
        String only = null;
        String serverKind = null;
        String serverHeap = "2g";
        String beforeCp = null;
        String beforeLabel = "before";
        String afterLabel = "after";
        String[] stores = PublishScenario.STORES;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--server" -> serverKind = args[++i];
                case "--server-heap" -> serverHeap = args[++i];
                case "--no-jmh" -> jmh = false;
                case "--jmh-only" -> scenarios = false;
                case "--only" -> only = args[++i];
                case "--sides" -> sides = args[++i].split(",");
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--telemetry" -> telemetry = true;
                case "--bad-day" -> badDay = true;
                case "--stores" -> stores = args[++i].split(",");
                case "--before-cp" -> beforeCp = args[++i];
                case "--before-label" -> beforeLabel = args[++i];
                case "--after-label" -> afterLabel = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --quick, --only a,b,c,d,p,s,r, --sides hub,raw, --stores memory,h2,postgresql,redis, "
                        + "--rounds K, --before REV (bench/run), --telemetry, --bad-day (t), --no-jmh, --jmh-only");
            }
        }
        if (only == null) {
            only = serverKind == null ? "a,b,c,d,p,s,r" : "a,b,c";
        }
        if (serverKind != null) {
            sides = Arrays.stream(sides).filter(s -> !s.startsWith("nio")).toArray(String[]::new); // embedded only
        }
        if (serverKind != null) {
            for (String s : only.split(",")) {
                if (!List.of("a", "b", "c").contains(s.trim())) {
                    throw new IllegalArgumentException("--server runs the fan-out scenarios a, b and c only, not " + s);
                }
            }
            jmh = false;
        }
        // (p), (s), (r) and (t) run on each version in turn: the older tree first when --before is given.
        List<PublishScenario.Version> versions = new ArrayList<>();
        if (beforeCp != null) {
            versions.add(new PublishScenario.Version(beforeLabel, beforeCp));
        }
        versions.add(new PublishScenario.Version(afterLabel, System.getProperty("java.class.path")));
        StringBuilder report = new StringBuilder();
        report.append(machine(quick));
        if (scenarios) {
            List<String> list = Arrays.stream(only.split(",")).map(String::trim).toList();
            for (String s : list) {
                if (!List.of("a", "b", "c", "d", "i", "p", "s", "r", "t", "m").contains(s)) {
                    throw new IllegalArgumentException("unknown scenario " + s + "; use a, b, c, d, i, p, s, r, t, m");
                }
            }
            if (list.stream().anyMatch(s -> "abcdi".contains(s))) {
                AppServer app = serverKind == null ? null : AppServer.start(serverKind, serverHeap);
                if (app != null) {
                    report.append(String.format(Locale.ROOT, "Server: %s (-Xmx%s), the hub WAR at /hub (anonymous "
                            + "publishing, heartbeat 2 s) and raw.war at /raw in the same JVM; every event published by one "
                            + "HTTP POST from the driver to either side%n%n", serverKind, serverHeap));
                }
                // On the embedded server, each version in turn, the older first: a paired run.
                List<PublishScenario.Version> fanOutVersions = app == null ? versions : List.of(versions.get(versions.size() - 1));
                for (PublishScenario.Version v : fanOutVersions) {
                    Bench b = app == null ? new Bench(quick, v.classPath(), v.label()) : new Bench(quick, app);
                    try {
                        for (String s : list) {
                            switch (s) {
                                case "a" -> b.throughput();
                                case "b" -> b.latency();
                                case "c" -> b.idle();
                                case "d" -> b.replay();
                                case "i" -> b.instrumentation();
                                default -> {
                                    // below
                                }
                            }
                        }
                    } finally {
                        b.stop();
                    }
                    report.append(b.table());
                }
            }
            for (String s : list) {
                switch (s) {
                    case "p" -> report.append(new PublishScenario(quick).run(versions, stores));
                    case "s" -> report.append(stalledAll(quick, versions));
                    case "r" -> report.append(stormAll(quick, versions));
                    case "t" -> report.append(new StopScenario(quick, badDay).run(versions));
                    case "m" -> report.append(historyStormAll(quick, versions, stores));
                    default -> {
                        // above
                    }
                }
            }
        }
        if (jmh) {
            report.append(Micro.run(quick));
        }
        System.out.println();
        System.out.println(report);
        Path out = Paths.get("target", "results-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(out, report.toString());
        System.out.println("(also written to bench/" + out + ")");
        System.exit(0);
    }

    private static String machine(boolean quick) throws IOException {
        String cpu = "?";
        for (String l : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
            if (l.startsWith("model name")) {
                cpu = l.substring(l.indexOf(':') + 1).trim();
                break;
            }
        }
        long memKb = 0;
        for (String l : Files.readAllLines(Paths.get("/proc/meminfo"))) {
            if (l.startsWith("MemTotal:")) {
                memKb = Long.parseLong(l.replaceAll("\\D", ""));
            }
        }
        String load = Files.readString(Paths.get("/proc/loadavg")).trim();
        return String.format(Locale.ROOT, "Run %s%s%n%nMachine: %d cores (%s), %.1f GiB, JDK %s (%s), load average at start %s%n%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19),
                quick ? " (--quick: scaled down)" : "", Runtime.getRuntime().availableProcessors(), cpu,
                memKb / 1024.0 / 1024.0, System.getProperty("java.version"), System.getProperty("java.vm.name"), load);
    }

    // ---- scenarios ----

    /**
     * (a) N subscribers, M events published as fast as the slowest subscriber takes them (a window of 200).
     * With {@code --rounds K}, K rounds of every side, the sides' order reversed every other round, and
     * each side's server CPU per delivery and deliveries/s compared with the first side's round by
     * round: a pairing within one server JVM ({@code --sides hub,hub-otel}: ssekit's instrumentation).
     */
    private void throughput() throws Exception {
        Map<String, Row> bySide = new LinkedHashMap<>();
        Map<String, List<double[]>> perRound = new LinkedHashMap<>(); // by side: {CPU us per delivery, deliveries/s}
        for (String side : sides) {
            perRound.put(side, new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(List.of(sides));
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String side : order) {
                double[] cpuPerDelivery = new double[1];
                Row row = throughput(side, cpuPerDelivery);
                bySide.put(side, row);
                perRound.get(side).add(new double[] {cpuPerDelivery[0], row.deliveriesPerSec()});
            }
        }
        if (rounds > 1) {
            paired(perRound);
        }
        rows.addAll(bySide.values());
        Row hub = bySide.get("hub");
        if (hub == null) {
            return;
        }
        for (String other : List.of("raw", "nio", "nio-batched")) {
            Row o = bySide.get(other);
            if (o != null) {
                notes.add(String.format(Locale.ROOT, "(a) ssekit delivers %.2fx the deliveries/s of %s%s", hub.deliveriesPerSec
                        / o.deliveriesPerSec, sideName(other), other.equals("raw") ? " (goal: at least 10x)" : ""));
            }
        }
    }

    /**
     * Notes each side's server CPU per delivery and deliveries/s against the first side's, round by
     * round, and the mean of their ratios with its standard error.
     */
    private void paired(Map<String, List<double[]>> perRound) {
        List<double[]> base = perRound.get(sides[0]);
        for (int k = 1; k < sides.length; k++) {
            List<double[]> other = perRound.get(sides[k]);
            double[] cpuRatios = new double[base.size()];
            double[] rateRatios = new double[base.size()];
            for (int r = 0; r < base.size(); r++) {
                cpuRatios[r] = other.get(r)[0] / base.get(r)[0];
                rateRatios[r] = other.get(r)[1] / base.get(r)[1];
                notes.add(String.format(Locale.ROOT, "(a) round %d: %s %.3f us per delivery, %,.0f/s; %s %.3f us, %,.0f/s; "
                        + "CPU ratio %.3f, deliveries/s ratio %.3f", r + 1, sides[0], base.get(r)[0], base.get(r)[1],
                        sides[k], other.get(r)[0], other.get(r)[1], cpuRatios[r], rateRatios[r]));
            }
            notes.add(String.format(Locale.ROOT, "(a) %s against %s, %d rounds: server CPU per delivery ratio %s, "
                    + "deliveries/s ratio %s (mean +- standard error)", sides[k], sides[0], base.size(),
                    meanAndError(cpuRatios), meanAndError(rateRatios)));
        }
    }

    /** @return "mean +- standard error" of {@code values} */
    private static String meanAndError(double[] values) {
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / Math.max(1, values.length - 1);
        return String.format(Locale.ROOT, "%.3f +- %.3f", mean, Math.sqrt(variance / values.length));
    }

    /**
     * (i) ssekit with and without its instrumentation side by side, in one server at once: N subscribers
     * on a topic of the plain hub and N on one of the hub bound to OpenTelemetry ({@code hub-otel}), M
     * events published to both in turn as fast as the slowest subscriber takes them. Both run under the
     * same load at the same time, so what the machine does to one it does to the other; each hub's own
     * threads (its publishing requests, its writers) are timed apart, and so is the SDK's span exporter.
     * Per round: each hub's CPU per delivery on its own threads, and the instrumentation's extra as a
     * share of the whole process's CPU per delivery. Rounds: {@code --rounds}.
     */
    private void instrumentation() throws Exception {
        int n = quick ? 200 : 1000;
        int m = quick ? 2000 : 10_000;
        String plain = "hub";
        String otel = BenchApp.INSTRUMENTED;
        double[] shares = new double[rounds];
        double[] ratios = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            String plainTopic = "i-plain-" + round;
            String otelTopic = "i-otel-" + round;
            client.closeAll();
            settle();
            progress("(i) round " + (round + 1) + ": connecting " + n + " subscribers to each hub");
            client.open(n, List.of(subscribePath(plain, plainTopic), subscribePath(otel, otelTopic)), null);
            awaitConnected("(i)", 2 * n);
            Map<String, Long> before = cpu();
            long[] requests = {0};
            publishWindowed(m, 2L * n * m, (seq, count) -> {
                // In turn, the order swapped every request: neither hub is always first.
                boolean plainFirst = requests[0]++ % 2 == 0;
                publish(plainFirst ? plain : otel, plainFirst ? plainTopic : otelTopic, seq, count);
                publish(plainFirst ? otel : plain, plainFirst ? otelTopic : plainTopic, seq, count);
            });
            Map<String, Long> after = cpu();
            long delivered = client.events.get();
            long perHub = (long) n * m;
            if (delivered != 2 * perHub) {
                notes.add(String.format(Locale.ROOT, "(i) round %d: %,d deliveries, not %,d", round + 1, delivered, 2 * perHub));
            }
            double process = delta(before, after, "process") / (double) delivered;
            double plainOwn = (delta(before, after, "publish:" + plain) + threads(before, after, "writer", false))
                    / (double) perHub;
            double otelOwn = (delta(before, after, "publish:" + otel) + threads(before, after, "writer", true)
                    + threads(before, after, "BatchSpanProcessor", false)) / (double) perHub;
            notes.add(String.format(Locale.ROOT, "(i) round %d, ns per delivery: publishing %.1f and %.1f, writers %.1f "
                    + "and %.1f (plain and instrumented), span exporter %.1f", round + 1,
                    delta(before, after, "publish:" + plain) / (double) perHub,
                    delta(before, after, "publish:" + otel) / (double) perHub,
                    threads(before, after, "writer", false) / (double) perHub,
                    threads(before, after, "writer", true) / (double) perHub,
                    threads(before, after, "BatchSpanProcessor", false) / (double) perHub));
            shares[round] = (otelOwn - plainOwn) / process;
            ratios[round] = otelOwn / plainOwn;
            notes.add(String.format(Locale.ROOT, "(i) round %d: the plain hub's own threads %.1f ns per delivery, the "
                    + "instrumented hub's %.1f ns (ratio %.3f); the whole process %.1f ns per delivery; the "
                    + "instrumentation's extra %.1f %% of it", round + 1, plainOwn, otelOwn, ratios[round], process,
                    100 * shares[round]));
            end(plainTopic);
            end(otelTopic);
        }
        notes.add(String.format(Locale.ROOT, "(i) %d rounds: the instrumentation costs %s %% of the server's CPU per "
                + "delivery; the hubs' own threads' ratio %s (mean +- standard error)", rounds,
                meanAndError(Arrays.stream(shares).map(v -> 100 * v).toArray()), meanAndError(ratios)));
    }

    /** Publishes events {@code seq} to {@code seq + count - 1}. */
    private interface Chunk {
        void publish(long seq, int count) throws Exception;
    }

    /**
     * Publishes {@code m} events in requests of up to {@link #CHUNK}, at most {@link #WINDOW} ahead of
     * the slowest subscriber, until every subscriber has them all, {@code deliveries} have arrived, or
     * no subscriber progressed for 10 s.
     */
    private void publishWindowed(long m, long deliveries, Chunk chunk) throws Exception {
        long published = 0;
        long lastProgress = System.nanoTime();
        long lastMin = -1;
        while (true) {
            long min = client.minReceived();
            if (min != lastMin) {
                lastMin = min;
                lastProgress = System.nanoTime();
            }
            if (min >= m || System.nanoTime() - lastProgress > 10_000_000_000L || client.events.get() >= deliveries) {
                return;
            }
            long inFlight = published - min;
            if (published < m && inFlight < WINDOW) {
                int count = (int) Math.min(Math.min(CHUNK, m - published), WINDOW - inFlight);
                chunk.publish(published, count);
                published += count;
            } else {
                Thread.onSpinWait();
                Thread.sleep(0, 200_000);
            }
        }
    }

    /** @return the server's CPU times so far, by name ({@code /admin/cpu}), in nanoseconds */
    private Map<String, Long> cpu() throws Exception {
        Map<String, Long> cpu = new LinkedHashMap<>();
        for (String line : get("/admin/cpu").split("\n")) {
            int space = line.lastIndexOf(' ');
            cpu.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        }
        return cpu;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    /** @return the CPU time of the threads whose names hold {@code part}, of the instrumented hub's or not */
    private static long threads(Map<String, Long> before, Map<String, Long> after, String part, boolean instrumented) {
        long sum = 0;
        for (String name : after.keySet()) {
            if (name.startsWith("threads:") && name.contains(part)
                    && (part.equals("writer") ? name.contains("otel") == instrumented : true)) {
                sum += delta(before, after, name);
            }
        }
        return sum;
    }

    /** One side's run of (a); its server CPU per delivery goes to {@code cpuPerDelivery[0]}. */
    private Row throughput(String side, double[] cpuPerDelivery) throws Exception {
        int n = quick ? 200 : 1000;
        int m = quick ? 2000 : 10_000;
        String topic = "a-" + side;
        long heap0 = quietHeap();
        connect(side, topic, n);
        long heapConnected = heap();
        client.resetLatencies();
        long rss = rss();
        long cpu0 = serverCpuMicros();
        long start = System.nanoTime();
        long[] peakRss = {rss};
        publishWindowed(m, (long) n * m, (seq, count) -> {
            publish(side, topic, seq, count);
            peakRss[0] = Math.max(peakRss[0], rss());
        });
        rss = peakRss[0];
        long took = client.lastEventNanos - start;
        long delivered = client.events.get();
        long drops = (long) n * m - delivered;
        cpuPerDelivery[0] = (serverCpuMicros() - cpu0) / (double) Math.max(1, delivered);
        notes.add(String.format(Locale.ROOT, "(a) %s: server CPU %.3f us per delivery (user and system, %,d deliveries)",
                side, cpuPerDelivery[0], delivered));
        Row row = row("(a) throughput", side, n, m, delivered / (took / 1e9), client.latenciesMicros(),
                client.errors.get() + client.closedByServer.get() + client.badStatus.get(), drops,
                heapConnected, rss, (heapConnected - heap0) / (double) n);
        end(topic);
        return row;
    }

    /** (b) N subscribers, 20 events/s for 30 s: latency and drops (issue 19's 5,000 at 20/s). */
    private void latency() throws Exception {
        int n = quick ? 1000 : 5000;
        int seconds = quick ? 10 : 30;
        int rate = 20;
        int m = seconds * rate;
        Map<String, Row> bySide = new LinkedHashMap<>();
        for (String side : sides) {
            String topic = "b-" + side;
            long heap0 = quietHeap();
            connect(side, topic, n);
            long heapConnected = heap();
            client.resetLatencies();
            String lagBefore = telemetry && side.equals("hub") ? get("/admin/metrics") : null;
            long cpu0 = serverCpuMicros();
            long start = System.nanoTime();
            publishRate(side, topic, m, rate);
            long rss = 0;
            boolean dumped = false;
            long deadline = start + (seconds + 15) * 1_000_000_000L;
            while (client.events.get() < (long) n * m && System.nanoTime() < deadline) {
                Thread.sleep(200);
                rss = Math.max(rss, rss());
                if (app != null && !dumped && System.nanoTime() - start > seconds * 500_000_000L) {
                    dumped = true; // half way through: what the server's threads are doing under load
                    notes.add("(b) " + side + " thread dump half way: bench/" + Paths.get("").toAbsolutePath()
                            .relativize(app.threadDump("b-" + side)));
                }
            }
            long took = client.lastEventNanos - start;
            long delivered = client.events.get();
            // Work rather than time: on two cores shared with the clients, latency swings with the
            // load, while the server's CPU per delivery is what a side costs.
            notes.add(String.format(Locale.ROOT, "(b) %s: server CPU %.2f us per delivery (user and system, %,d deliveries)",
                    side, (serverCpuMicros() - cpu0) / (double) Math.max(1, delivered), delivered));
            if (lagBefore != null) {
                notes.add("(b) " + LagHistogram.compare(lagBefore, get("/admin/metrics"), client.latenciesMicros()));
            }
            bySide.put(side, row("(b) latency", side, n, m, delivered / (took / 1e9), client.latenciesMicros(),
                    client.errors.get() + client.closedByServer.get() + client.badStatus.get(), (long) n * m - delivered,
                    heapConnected, rss, (heapConnected - heap0) / (double) n));
            end(topic);
        }
        rows.addAll(bySide.values());
        Row hub = bySide.get("hub");
        if (hub == null) {
            return;
        }
        StringBuilder note = new StringBuilder(String.format(Locale.ROOT, "(b) ssekit p99 %s with %d drops", hub.p99, hub.drops));
        for (String other : List.of("raw", "nio", "nio-batched")) {
            Row o = bySide.get(other);
            if (o != null) {
                note.append(String.format(Locale.ROOT, "; %s p99 %s with %d drops", sideName(other), o.p99, o.drops));
            }
        }
        Row nio = bySide.get("nio");
        if (nio != null && hub.p99Micros > 0 && nio.p99Micros > 0) {
            note.append(String.format(Locale.ROOT, "; ssekit's p99 is %.2fx the raw NIO server's (goal: at most 2x)",
                    hub.p99Micros / (double) nio.p99Micros));
        }
        notes.add(note.toString());
    }

    /** (c) As many idle subscribers as the machine holds, up to 50,000: heap per connection. */
    private void idle() throws Exception {
        client.closeAll();
        settle();
        Map<String, String> s = stats(false);
        long serverRoom = Long.parseLong(s.get("fdLimit")) - Long.parseLong(s.get("fds")) - 300;
        long clientRoom = fdLimit() - openFds() - 300;
        int wanted = quick ? 2000 : 50_000;
        int n = (int) Math.min(wanted, Math.min(serverRoom, clientRoom));
        if (n < wanted) {
            notes.add(String.format(Locale.ROOT, "(c) held %,d rather than %,d: the open-files limit is %s for the server "
                    + "and %d for the client (hard limit; this container refuses to raise it), one descriptor per connection "
                    + "on each side", n, wanted, s.get("fdLimit"), fdLimit()));
        }
        Map<String, Row> bySide = new LinkedHashMap<>();
        for (String side : sides) {
            String topic = "c-" + side;
            long heap0 = quietHeap();
            long connectStart = System.nanoTime();
            connect(side, topic, n);
            double connectSecs = (System.nanoTime() - connectStart) / 1e9;
            // Idle through more than one heartbeat period (20 s / 3) so that heartbeats run.
            Thread.sleep(quick ? 2000 : 8000);
            long held = client.ready.get() - client.closedByServer.get();
            long heapConnected = heap();
            if (app != null) {
                notes.add(String.format(Locale.ROOT, "(c) %s: the server runs %s threads with %,d idle subscribers; thread dump: bench/%s",
                        side, stats(false).get("threads"), held, Paths.get("").toAbsolutePath().relativize(app.threadDump("c-" + side))));
            }
            long rss = rss();
            notes.add(String.format(Locale.ROOT, "(c) %s: %,d subscribers connected in %.1f s (%,.0f per second)",
                    sideName(side), held, connectSecs, held / connectSecs));
            bySide.put(side, row("(c) idle", side, (int) held, 0, 0, new int[0],
                    client.errors.get() + client.closedByServer.get() + client.badStatus.get(), 0,
                    heapConnected, rss, (heapConnected - heap0) / (double) held));
            end(topic);
        }
        rows.addAll(bySide.values());
        Row hub = bySide.get("hub");
        if (hub == null) {
            return;
        }
        StringBuilder note = new StringBuilder(String.format(Locale.ROOT, "(c) ssekit held %,d idle subscribers with %.1f KB "
                + "heap each (goal: at most 5 KB each)", hub.subscribers, hub.heapPerConn / 1024));
        for (String other : List.of("raw", "nio", "nio-batched")) {
            Row o = bySide.get(other);
            if (o != null) {
                note.append(String.format(Locale.ROOT, "; %s %.1f KB each", sideName(other), o.heapPerConn / 1024));
            }
        }
        notes.add(note.toString());
    }

    /** (d) Replay of 10,000 events to one reconnecting client, per store. */
    private void replay() throws Exception {
        int m = quick ? 2000 : 10_000;
        int runs = quick ? 3 : 7;
        double memory = 0;
        for (String store : new String[]{"memory", "h2", "postgresql", "redis"}) {
            String marker;
            try {
                marker = post("/admin/replay/" + store + "?events=" + m);
            } catch (IOException e) {
                notes.add("(d) " + store + " skipped: " + e.getMessage());
                continue;
            }
            List<Long> nanos = new ArrayList<>();
            long errors = 0;
            long drops = 0;
            int[] lat = new int[0];
            int warmUps = "memory".equals(store) ? 5 : 2;
            progress("replay from " + store);
            for (int run = 0; run < runs + warmUps; run++) {
                client.resetLatencies();
                long start = System.nanoTime();
                client.open(1, "/hub/replay/" + store, marker);
                long deadline = start + 30_000_000_000L;
                while (client.events.get() < m && System.nanoTime() < deadline
                        && client.errors.get() + client.closedByServer.get() == 0) {
                    Thread.onSpinWait();
                }
                long took = client.lastEventNanos - start;
                if (run >= warmUps) {
                    nanos.add(took);
                    errors += client.errors.get() + client.closedByServer.get() + client.badStatus.get();
                    drops += m - client.events.get();
                }
                client.closeAll();
            }
            post("/admin/replay-close/" + store);
            nanos.sort(null);
            double perSec = m / (nanos.get(nanos.size() / 2) / 1e9);
            if ("memory".equals(store)) {
                memory = perSec;
            }
            rows.add(new Row("(d) replay " + store, "hub", 1, m, perSec, "-", "-", "-", errors, drops, 0, 0, 0, -1));
            notes.add(String.format(Locale.ROOT, "(d) %s: %,.0f events/s, median of %d reconnects, %.3fx memory%s",
                    store, perSec, runs, memory == 0 ? 0 : perSec / memory,
                    "memory".equals(store) ? " (goal: >= 100,000 events/s)" : ""));
        }
        notes.add("(d) the plain broadcaster has no history: it replays nothing, so there is no ratio to it");
    }

    // ---- (s) stalled clients and (r) reconnect storm, per version ----

    private static String stalledAll(boolean quick, List<PublishScenario.Version> versions) throws Exception {
        int rate = 50;
        int seconds = quick ? 8 : 20;
        int size = 16 * 1024;
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "(s) stalled clients: one healthy reader and K clients that never read "
                + "(4 KB receive buffer), %d events of %d KB at %d/s on the server's timer (%d s); lag = receipt - "
                + "the time the event was due%n%n", seconds * rate, size / 1024, rate, seconds));
        t.append("| version | side | stalled | healthy got | p50 | p99 | max | p99 vs 0 stalled | published | stalled still connected at the end | server threads at the end | heap after GC at the end | notes |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (PublishScenario.Version v : versions) {
            Bench b = new Bench(quick, v.classPath(), v.label());
            try {
                for (String side : sides) {
                    double base = 0;
                    for (int k : quick ? new int[]{0, 8, 64, 200} : new int[]{0, 8, 64, 1000}) {
                        String[] r = b.stalled(side, k, rate, seconds, size);
                        double p99 = Double.parseDouble(r[0]);
                        if (k == 0) {
                            base = p99;
                        }
                        t.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                                v.label(), side.equals("hub") ? "ssekit Hub" : "SseBroadcaster", k, r[1], r[2], r[3], r[4],
                                base == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", p99 / base), r[5], r[6], r[8], r[9], r[7]));
                    }
                }
            } finally {
                b.stop();
            }
        }
        t.append('\n');
        return t.toString();
    }

    /** @return p99 in micros (for the ratio), then the table's cells */
    private String[] stalled(String side, int k, int rate, int seconds, int size) throws Exception {
        String topic = "s-" + side + "-" + k;
        client.closeAll();
        settle();
        progress("(s) " + label + " " + side + ": " + k + " stalled clients");
        int m = rate * seconds;
        List<java.nio.channels.SocketChannel> stalled = new ArrayList<>();
        String notes = "";
        try {
            byte[] req = ("GET /" + side + "/" + topic + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < k; i++) {
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open();
                // Set before connecting, so the window the server sees is small from the start.
                ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
                ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                ch.connect(new InetSocketAddress("127.0.0.1", port));
                ch.write(java.nio.ByteBuffer.wrap(req));
                stalled.add(ch);
            }
            client.open(1, "/" + side + "/" + topic, null);
            String key = side.equals("hub") ? "hubClients" : "rawClients";
            long deadline = System.nanoTime() + 30_000_000_000L;
            while ((client.ready.get() < 1 || Long.parseLong(stats(false).get(key)) < k + 1) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long registered = Long.parseLong(stats(false).get(key));
            if (registered < k + 1) {
                notes = "only " + registered + " of " + (k + 1) + " subscribed before publishing";
            }
            client.resetLatencies();
            post("/admin/publish-rate/" + side + "/" + topic + "?count=" + m + "&rate=" + rate + "&size=" + size);
            long end = System.nanoTime() + (seconds + 20) * 1_000_000_000L;
            while (client.events.get() < m && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            long published = Long.parseLong(post("/admin/publish-rate-stop").trim());
            Map<String, String> atEnd = stats(true); // the stalled clients still connected: what they hold
            long still = Long.parseLong(atEnd.get(key)) - (client.closedByServer.get() == 0 ? 1 : 0);
            int[] lat = client.latenciesMicros();
            long got = client.events.get();
            if (client.closedByServer.get() + client.errors.get() > 0) {
                notes = (notes.isEmpty() ? "" : notes + "; ") + "the healthy reader's stream was ended";
            }
            return new String[]{Integer.toString(lat.length == 0 ? 0 : lat[Math.min(lat.length - 1, (int) (0.99 * lat.length))]),
                    String.format(Locale.ROOT, "%,d of %,d", got, m), pct(lat, 0.5), pct(lat, 0.99),
                    lat.length == 0 ? "-" : ms(lat[lat.length - 1]), String.format(Locale.ROOT, "%,d", published),
                    side.equals("hub") ? Long.toString(Math.max(0, still)) : "-", notes, atEnd.get("threads"),
                    String.format(Locale.ROOT, "%,d MiB", Long.parseLong(atEnd.get("heap")) >> 20)};
        } finally {
            post("/admin/publish-rate-stop");
            end(topic);
            for (var ch : stalled) {
                ch.close();
            }
        }
    }

    private static String stormAll(boolean quick, List<PublishScenario.Version> versions) throws Exception {
        int clients = quick ? 500 : 2000;
        int events = quick ? 2000 : 10_000;
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "(r) reconnect storm: %,d events retained on a topic (in-memory store), then "
                + "%,d clients connect with Last-Event-ID: earliest at once (the client opens up to 256 at a time)%n%n",
                events, clients));
        t.append("| version | clients | retained | all connected after | all caught up after | replayed deliveries/s | caught up | "
                + "heap peak (sampled used) | heap peak after a GC | heap after GC before / after | GCs | errors | gaps | duplicates |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PublishScenario.Version v : versions) {
            Bench b = new Bench(quick, v.classPath(), v.label());
            try {
                t.append(b.storm(clients, events));
            } catch (IOException e) {
                // A server that stops answering (the admin request timed out) is a result too.
                t.append(String.format(Locale.ROOT, "| %s | %,d | %,d | failed: %s | | | | | | | | | | |%n",
                        v.label(), clients, events, e));
            } finally {
                b.stop();
            }
        }
        t.append('\n');
        return t.toString();
    }

    private String storm(int n, int m) throws Exception {
        String topic = "r-storm";
        client.closeAll();
        settle();
        progress("(r) " + label + ": retaining " + m + " events");
        for (int i = 0; i < m; i += 1000) {
            post("/admin/publish/hub/" + topic + "?seq=" + i + "&count=" + Math.min(1000, m - i));
        }
        long heapBefore = heap();
        post("/admin/heap-watch/start");
        progress("(r) " + label + ": " + n + " clients reconnecting with earliest");
        long start = System.nanoTime();
        client.open(n, "/hub/" + topic, "earliest");
        long connected = -1;
        long last = -1;
        long lastChange = System.nanoTime();
        long deadline = start + 240_000_000_000L; // bounded, so a run fits its slot: "not all" says so
        while (System.nanoTime() < deadline && System.nanoTime() - lastChange < 30_000_000_000L) {
            if (connected < 0 && client.ready.get() >= n) {
                connected = System.nanoTime() - start;
            }
            if (client.minReceived() >= m) {
                break;
            }
            long e = client.events.get();
            if (e != last) {
                last = e;
                lastChange = System.nanoTime();
            }
            Thread.sleep(20);
        }
        long caughtUp = 0;
        for (int i = 0; i < n; i++) {
            if (client.received(i) >= m) {
                caughtUp++;
            }
        }
        long took = client.lastEventNanos - start;
        Map<String, String> w = new LinkedHashMap<>();
        for (String kv : post("/admin/heap-watch/stop").trim().split(" ")) {
            w.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        long errors = client.errors.get() + client.closedByServer.get() + client.badStatus.get();
        long gaps = client.gaps.get();
        long dups = client.duplicates.get();
        long delivered = client.events.get();
        end(topic);
        long heapAfter = quietHeap();
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s | %,.0f | %,d of %,d | %s | %s | %s / %s | %s | %,d | %,d | %,d |%n",
                label, n, m, connected < 0 ? "not all" : String.format(Locale.ROOT, "%.1f s", connected / 1e9),
                caughtUp == n ? String.format(Locale.ROOT, "%.1f s", took / 1e9) : "not all (" + String.format(Locale.ROOT, "%.1f s", took / 1e9) + ")",
                delivered / (took / 1e9), caughtUp, n,
                mib(Long.parseLong(w.get("peakUsed"))), mib(Long.parseLong(w.get("peakAfterGc"))), mib(heapBefore), mib(heapAfter),
                w.get("gcs"), errors, gaps, dups);
    }

    private static String historyStormAll(boolean quick, List<PublishScenario.Version> versions, String[] stores)
            throws Exception {
        int events = quick ? 100_000 : 1_000_000;
        int clients = quick ? 100 : 500;
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "(m) replay storm on a durable store: %,d events of history over %d topics, "
                + "then %,d clients connect with Last-Event-ID: earliest at once, half of them to every topic (a * "
                + "matcher), half to one topic; meanwhile the server publishes on that topic one event after another, "
                + "timed (publish p50/p99 before the storm and during it)%n%n", events, BenchApp.HISTORY_TOPICS, clients));
        t.append("| version | store | history | clients | filled in | streams answered | every client answered after "
                + "| events replayed | events received (replayed and live) | most to one client | all done after "
                + "| heap peak after a GC | heap after GC before / after | publish p50 / p99 before | publish p50 / p99 "
                + "during | errors (refused with a status among them), closed by server |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String store : stores) {
            if (!store.equals("postgresql") && !store.equals("redis")) {
                continue;
            }
            for (PublishScenario.Version v : versions) {
                Bench b = new Bench(quick, v.classPath(), v.label());
                try {
                    t.append(b.historyStorm(store, events, clients));
                } catch (IOException e) {
                    t.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | failed: %s | | | | | | | | | | | |%n",
                            v.label(), store, events, clients, e));
                } finally {
                    b.stop();
                }
            }
        }
        t.append('\n');
        return t.toString();
    }

    private String historyStorm(String store, int events, int n) throws Exception {
        client.closeAll();
        settle();
        progress("(m) " + label + ": filling " + events + " events into " + store);
        long fillStart = System.nanoTime();
        for (int i = 0; i < events; i += 10_000) {
            post("/admin/history/" + store + "/fill?from=" + i + "&count=" + Math.min(10_000, events - i)
                    + "&total=" + events);
            if ((i / 10_000) % 10 == 9) {
                progress("(m) " + label + ": " + (i + 10_000) + " events filled");
            }
        }
        long filled = System.nanoTime() - fillStart;
        if (store.equals("postgresql")) {
            // As autovacuum would by then on a table grown over time: with the statistics of an empty
            // table, the page queries' generic plans hash-joined the whole range (230 ms a page, not 2).
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test",
                    "postgres", null); java.sql.Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
        }
        int[] before = timedPublishes(store, 200);
        long heapBefore = heap();
        post("/admin/heap-watch/start");
        progress("(m) " + label + ": " + n + " clients replaying from earliest");
        long start = System.nanoTime();
        client.open(n, "/hub/history/" + store, "earliest");
        List<Integer> during = new ArrayList<>();
        long last = -1;
        long lastChange = System.nanoTime();
        long deadline = start + 240_000_000_000L;
        long allAnswered = -1;
        // Until every client has its answer (a stream or a refusal) and nothing has arrived for 10 s.
        while (System.nanoTime() < deadline && (client.ready.get() + client.errors.get() + client.badStatus.get() < n
                || System.nanoTime() - lastChange < 10_000_000_000L)) {
            if (allAnswered < 0 && client.ready.get() + client.errors.get() + client.badStatus.get() >= n) {
                allAnswered = System.nanoTime() - start;
            }
            for (int micros : timedPublishes(store, 20)) {
                during.add(micros);
            }
            long e = client.events.get();
            if (e != last) {
                last = e;
                lastChange = System.nanoTime();
            }
        }
        long took = System.nanoTime() - start;
        long answered = client.ready.get();
        Map<String, String> w = new LinkedHashMap<>();
        for (String kv : post("/admin/heap-watch/stop").trim().split(" ")) {
            w.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        long most = 0;
        for (int i = 0; i < n; i++) {
            most = Math.max(most, client.received(i));
        }
        long received = client.events.get();
        long replayed = Long.parseLong(post("/admin/history/replayed").trim());
        long errors = client.errors.get() + client.badStatus.get();
        long refused = client.badStatus.get();
        long closed = client.closedByServer.get();
        client.closeAll();
        post("/admin/replay-close/" + BenchApp.HISTORY + store);
        long heapAfter = quietHeap();
        int[] sortedDuring = during.stream().mapToInt(Integer::intValue).sorted().toArray();
        return String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %.0f s | %,d | %s | %,d | %,d | %,d | %.1f s | %s | %s / %s | %s / %s | "
                        + "%s / %s | %,d (%,d), %,d |%n",
                label, store, events, n, filled / 1e9, answered,
                allAnswered < 0 ? "not all" : String.format(Locale.ROOT, "%.1f s", allAnswered / 1e9), replayed, received,
                most, took / 1e9, mib(Long.parseLong(w.get("peakAfterGc"))),
                mib(heapBefore), mib(heapAfter), pct(before, 0.5), pct(before, 0.99),
                pct(sortedDuring, 0.5), pct(sortedDuring, 0.99), errors, refused, closed);
    }

    /** @return the latencies, in microseconds and sorted, of {@code count} publishes one after another in the server */
    private int[] timedPublishes(String store, int count) throws Exception {
        String[] parts = post("/admin/history/" + store + "/publish?count=" + count).trim().split(" ");
        int[] micros = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            micros[i] = Integer.parseInt(parts[i]);
        }
        java.util.Arrays.sort(micros);
        return micros;
    }

    // ---- helpers ----

    private static int portsUsed;

    /**
     * @return the next port for a server JVM: 19100 to 19199, the bench's range on this machine, each
     * used once per run (so no server waits for an earlier one's port)
     */
    static synchronized int nextPort() {
        return 19100 + (portsUsed++ % 100);
    }

    /**
     * Reads {@code process}'s standard output up to the first line that starts with {@code prefix},
     * then keeps reading it on a thread of its own so that the process never blocks on a full pipe.
     *
     * @return that line
     * @throws IllegalStateException saying {@code failure} if the output ends first
     */
    static String awaitLine(Process process, String prefix, String failure) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(prefix)) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the pipe empty
                        }
                    } catch (IOException e) {
                        // the process is gone
                    }
                }, "stdout-" + process.pid());
                drain.setDaemon(true);
                drain.start();
                return line;
            }
        }
        throw new IllegalStateException(failure);
    }

    static void progress(String what) {
        System.err.println("[bench " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + what);
    }

    /** Waits (at most 60 s) until the server has let go of the previous scenario's connections. */
    private void settle() throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, String> s = stats(false);
            if (Long.parseLong(s.get("fds")) < baselineFds + 50) {
                return;
            }
            Thread.sleep(200);
        }
        progress("the server still holds " + stats(false).get("fds") + " descriptors after 60 s");
    }

    private void connect(String side, String topic, int n) throws Exception {
        client.closeAll();
        settle();
        progress(side + "/" + topic + ": connecting " + n + " subscribers");
        if (side.startsWith("nio")) {
            client.open(new InetSocketAddress("127.0.0.1", Integer.parseInt(get("/admin/nio-port/" + side).trim())),
                    n, "/" + topic, null);
        } else {
            client.open(n, subscribePath(side, topic), null);
        }
        awaitConnected(side + "/" + topic, n);
    }

    /** Waits until {@code n} subscribers are connected (or refused), noting it if some never were. */
    private void awaitConnected(String what, int n) throws Exception {
        long deadline = System.nanoTime() + Math.max(30, n / 200) * 1_000_000_000L;
        long lastReady = -1;
        long lastChange = System.nanoTime();
        while (client.ready.get() + client.errors.get() + client.badStatus.get() + client.closedByServer.get() < n
                && System.nanoTime() < deadline) {
            long r = client.ready.get();
            if (r != lastReady) {
                lastReady = r;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > 10_000_000_000L) {
                break; // no progress for 10 s
            }
            Thread.sleep(20);
        }
        if (client.ready.get() < n) {
            notes.add(String.format(Locale.ROOT, "%s: only %,d of %,d subscribers connected (%d errors, %d refused)",
                    what, client.ready.get(), n, client.errors.get(), client.badStatus.get()));
        }
    }

    private void end(String topic) throws Exception {
        if (app == null) {
            post("/admin/end/" + topic);
        } else if (topic.endsWith("-raw")) {
            post("/raw/api/end/" + topic);
        } // the hub WAR has no admin: its heartbeat (2 s) finds the closed clients
        client.closeAll();
    }

    /** @return the path a subscriber of {@code side} opens */
    private String subscribePath(String side, String topic) {
        if (app == null) {
            return "/" + side + "/" + topic;
        }
        return "hub".equals(side) ? "/hub/.well-known/mercure?topic=" + topic : "/raw/api/" + topic;
    }

    /** Publishes {@code count} events numbered from {@code seq}: in the server JVM, or one POST each on a server. */
    private void publish(String side, String topic, long seq, int count) throws Exception {
        if (app == null) {
            post("/admin/publish/" + side + "/" + topic + "?seq=" + seq + "&count=" + count);
            return;
        }
        for (int i = 0; i < count; i++) {
            publishOne(side, topic, seq + i, System.nanoTime());
        }
    }

    /**
     * Publishes {@code count} events at {@code rate} per second: on the embedded server's clock, or
     * on a server from a thread of the driver's, each stamped with the time it was due.
     */
    private void publishRate(String side, String topic, int count, int rate) throws Exception {
        if (app == null) {
            post("/admin/publish-rate/" + side + "/" + topic + "?count=" + count + "&rate=" + rate);
            return;
        }
        long period = 1_000_000_000L / rate;
        long first = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                for (int n = 0; n < count; n++) {
                    long due = first + n * period;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    publishOne(side, topic, n, due);
                }
            } catch (Exception e) {
                progress("publishing at a rate stopped: " + e);
            }
        }, "bench-rate-publisher");
        t.setDaemon(true);
        t.start();
    }

    /** One event as one form POST: to the hub WAR's Mercure endpoint, or to raw.war's broadcaster. */
    private void publishOne(String side, String topic, long seq, long sent) throws Exception {
        String json = "{\"item\":\"" + Payload.ITEM + "\",\"ok\":true,\"price\":19.95,\"qty\":2,\"sent\":" + sent
                + ",\"seq\":" + seq + "}";
        String data = java.net.URLEncoder.encode(json, StandardCharsets.UTF_8);
        boolean hub = "hub".equals(side);
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + (hub ? "/hub/.well-known/mercure" : "/raw/api/" + topic)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString((hub ? "topic=" + topic + "&" : "") + "data=" + data)));
    }

    private Row row(String scenario, String side, int subscribers, long events, double perSec, int[] lat, long errors,
                    long drops, long heap, long rss, double heapPerConn) {
        return new Row(scenario, side, subscribers, events, perSec, pct(lat, 0.50), pct(lat, 0.99),
                lat.length == 0 ? "-" : ms(lat[lat.length - 1]), errors, drops, heap, rss, heapPerConn,
                lat.length == 0 ? -1 : lat[(int) Math.min(lat.length - 1, Math.floor(0.99 * lat.length))]);
    }

    static String pct(int[] sorted, double p) {
        if (sorted.length == 0) {
            return "-";
        }
        return ms(sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
    }

    static String ms(int micros) {
        return String.format(Locale.ROOT, micros < 10_000 ? "%.2f ms" : "%.0f ms", micros / 1000.0);
    }

    /** Heap after GC with no subscriber left from an earlier step. */
    private long quietHeap() throws Exception {
        client.closeAll();
        settle();
        long h = heap();
        progress(String.format(Locale.ROOT, "server heap after GC with no subscriber: %.1f MiB", h / 1048576.0));
        return h;
    }

    private long heap() throws Exception {
        return Long.parseLong(stats(true).get("heap"));
    }

    private Map<String, String> stats(boolean gc) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : get((app == null ? "/admin/stats?gc=" : "/raw/api/stats?gc=") + gc).trim().split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    private long rss() throws IOException {
        for (String l : Files.readAllLines(Paths.get("/proc", Long.toString(app == null ? server.pid() : app.pid()), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D", "")) * 1024;
            }
        }
        return 0;
    }

    /** @return the server process's CPU time so far, user and system, in microseconds (from /proc, in clock ticks of 10 ms) */
    private long serverCpuMicros() throws IOException {
        String stat = Files.readString(Paths.get("/proc", Long.toString(app == null ? server.pid() : app.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000; // utime, stime (fields 14 and 15)
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Paths.get("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long fdLimit() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
            }
        }
        return 1024;
    }

    private String get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
    }

    private String post(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private String send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            String body = r.body();
            throw new IOException("HTTP " + r.statusCode() + (body == null || body.isBlank() ? "" : ": "
                    + body.trim().lines().findFirst().orElse("")));
        }
        return r.body();
    }

    private void stop() {
        if (app != null) {
            try {
                client.close();
            } catch (Exception e) {
                // the server stops anyway
            }
            app.stop();
            return;
        }
        try {
            client.close();
            serverStdin.close();
            server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // destroyed below
        }
        server.destroyForcibly();
    }

    private String table() {
        StringBuilder t = new StringBuilder();
        t.append("Version ").append(label).append(":\n\n");
        t.append("| scenario | side | subscribers | events | deliveries/s | p50 | p99 | max | errors | drops | server heap after GC | server RSS | heap/conn |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            t.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %s | %s | %s | %s | %,d | %,d | %s | %s | %s |%n",
                    r.scenario, switch (r.side) {
                        case "hub" -> "ssekit Hub";
                        case "raw" -> "SseBroadcaster";
                        case "nio" -> "raw NIO";
                        case "nio-batched" -> "raw NIO, batched";
                        default -> r.side;
                    }, r.subscribers, r.events,
                    r.deliveriesPerSec == 0 ? "-" : String.format(Locale.ROOT, "%,.0f", r.deliveriesPerSec), r.p50, r.p99, r.max, r.errors, r.drops, mib(r.heapBytes), mib(r.rssBytes),
                    r.heapPerConn == 0 ? "-" : String.format(Locale.ROOT, "%.1f KB", r.heapPerConn / 1024)));
        }
        t.append("\n");
        for (String n : notes) {
            t.append("- ").append(n).append('\n');
        }
        t.append("\n");
        return t.toString();
    }

    private static String mib(long bytes) {
        return bytes == 0 ? "-" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1024.0 / 1024.0);
    }
}
