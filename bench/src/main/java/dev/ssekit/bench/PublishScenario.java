package dev.ssekit.bench;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * (p) The publish path (issue 11): 1, 16 and 64 concurrent publishers on the embedded hub, one server
 * JVM per history store (memory, H2 file, PostgreSQL, Redis) chosen by the hub's own settings, with
 * 100 live subscribers of the topic. Over HTTP: form POSTs of 200-byte events to
 * {@code /.well-known/mercure} on keep-alive connections (reopened when the server closes them);
 * in process: {@code topics.publish} from N threads inside the server JVM ({@link PubServer}).
 * Each level starts with 100 fresh subscribers, so a level that cut slow subscribers does not thin the next.
 */
final class PublishScenario {
    static final int SUBSCRIBERS = 100;
    static final String TOPIC = "bench-pub";
    static final int[] LEVELS = {1, 16, 64};
    static final String[] STORES = {"memory", "h2", "postgresql", "redis"};

    record Version(String label, String classPath) {
    }

    record Result(String version, String store, String mode, int publishers, long measured, double perSec,
                  long total, long errors, long delivered, long cut, String p50, String p99, String note) {
    }

    private final boolean quick;
    private final long warmupMs;
    private final long measureMs;
    private final List<Result> results = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    PublishScenario(boolean quick) {
        this.quick = quick;
        this.warmupMs = quick ? 500 : 1000;
        this.measureMs = quick ? 1500 : 4000;
    }

    String run(List<Version> versions, String[] stores) throws Exception {
        for (String store : stores) {
            for (Version v : versions) {
                runStore(v, store);
            }
        }
        return report(versions);
    }

    private void runStore(Version v, String store) throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        List<String> props = new ArrayList<>();
        // In process, publishers outrun the fan-out to 100 sockets many times over: with the default
        // policy (disconnect) every subscriber is cut within a second and the rest is publishing to nobody.
        // drop-oldest keeps all 100 subscribed, so every publish pays the fan-out; "delivered" shows what they skipped.
        props.add("-Dssekit.overflow.policy=drop-oldest");
        Runnable cleanup = () -> { };
        String pgPrefix = null;
        switch (store) {
            case "memory" -> props.add("-Dssekit.history.store=memory");
            case "h2" -> {
                Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "ssekit-bench-h2-" + unique).toAbsolutePath();
                props.add("-Dssekit.history.store=jdbc");
                props.add("-Dssekit.history.jdbc.url=jdbc:h2:file:" + dir.resolve("history"));
                cleanup = () -> deleteTree(dir);
            }
            case "postgresql" -> {
                String prefix = "ssekit_bench_" + unique + "_";
                pgPrefix = prefix;
                props.add("-Dssekit.history.store=jdbc");
                props.add("-Dssekit.history.jdbc.url=jdbc:postgresql://127.0.0.1:5432/test");
                props.add("-Dssekit.history.jdbc.user=postgres");
                props.add("-Dssekit.history.jdbc.table.prefix=" + prefix);
                cleanup = () -> dropTables(prefix);
            }
            case "redis" -> {
                String prefix = "ssekit-bench-" + unique + ":";
                props.add("-Dssekit.history.store=redis");
                props.add("-Dssekit.history.redis.uri=redis://127.0.0.1:6379");
                props.add("-Dssekit.history.redis.key.prefix=" + prefix);
                cleanup = () -> deleteKeys(prefix);
            }
            default -> throw new IllegalArgumentException("store must be memory, h2, postgresql or redis, got " + store);
        }
        Bench.progress("(p) " + v.label + " " + store + ": starting the embedded hub");
        Server server;
        try {
            server = new Server(v.classPath, props);
        } catch (IOException e) {
            notes.add("(p) " + v.label + " " + store + " skipped: " + e.getMessage());
            cleanup.run();
            return;
        }
        try (SseClient client = new SseClient(new InetSocketAddress("127.0.0.1", server.port))) {
            for (String mode : new String[]{"http", "in process"}) {
                for (int n : LEVELS) {
                    Bench.progress("(p) " + v.label + " " + store + " " + mode + ", " + n + " publishers");
                    results.add(level(v, store, mode, n, server, client, pgPrefix));
                }
            }
            // The store path alone: no fan-out competing for the 2 cores.
            Bench.progress("(p) " + v.label + " " + store + " " + NO_SUBSCRIBERS + ", 16 publishers");
            results.add(level(v, store, NO_SUBSCRIBERS, 16, server, client, pgPrefix));
        } finally {
            server.stop();
            cleanup.run();
        }
    }

    static final String NO_SUBSCRIBERS = "in process, 0 subscribers";

    private Result level(Version v, String store, String mode, int n, Server server, SseClient client, String pgPrefix)
            throws Exception {
        client.closeAll();
        int subscribers = NO_SUBSCRIBERS.equals(mode) ? 0 : SUBSCRIBERS;
        if (subscribers > 0) {
            client.open(subscribers, "/.well-known/mercure?topic=" + TOPIC, null);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (client.ready.get() < subscribers && System.nanoTime() < deadline
                && client.errors.get() + client.badStatus.get() == 0) {
            Thread.sleep(10);
        }
        String note = client.ready.get() < subscribers ? "only " + client.ready.get() + " subscribers connected" : "";
        long txBefore = pgPrefix == null ? 0 : sequenceBumps(pgPrefix);
        client.resetLatencies();
        long measured;
        long total;
        long errors;
        if ("http".equals(mode)) {
            long[] r = http(server.port, n);
            measured = r[0];
            total = r[1];
            errors = r[2];
            if (r[3] > 0) {
                note = join(note, r[3] + " reconnects (the server closed keep-alive connections)");
            }
            if (r[2] > 0) {
                note = join(note, "first error: " + httpError.get());
            }
        } else {
            String a = server.command("inproc " + n + " " + warmupMs + " " + measureMs + " " + TOPIC);
            String[] w = a.split(" ", 5);
            if (!"OK".equals(w[0])) {
                throw new IOException("in-process publish failed: " + a);
            }
            measured = Long.parseLong(w[1]);
            total = Long.parseLong(w[2]);
            errors = Long.parseLong(w[3]);
            if (w.length > 4) {
                note = join(note, "first error: " + w[4]);
            }
        }
        // Wait until the subscribers have everything, or nothing has come for 10 s.
        long expected = total * subscribers;
        long last = -1;
        long lastChange = System.nanoTime();
        while (client.events.get() < expected && System.nanoTime() - lastChange < 10_000_000_000L) {
            long e = client.events.get();
            if (e != last) {
                last = e;
                lastChange = System.nanoTime();
            }
            Thread.sleep(20);
        }
        int[] lat = client.latenciesMicros();
        long cut = client.closedByServer.get();
        if (pgPrefix != null && total > 0) {
            Thread.sleep(1500); // PostgreSQL publishes a backend's table counts once a second at most
            long tx = sequenceBumps(pgPrefix) - txBefore;
            if (tx > 0) {
                note = join(note, String.format(Locale.ROOT, "%,d sequence-row updates: %.1f events per store transaction",
                        tx, total / (double) tx));
            }
        }
        return new Result(v.label, store, mode, n, measured, measured / (measureMs / 1000.0), total, errors,
                client.events.get(), cut, Bench.pct(lat, 0.5), Bench.pct(lat, 0.99), note);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    private final AtomicReference<String> httpError = new AtomicReference<>();

    /** @return published in the window, published in all, errors, reconnects */
    private long[] http(int port, int n) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong reconnects = new AtomicLong();
        AtomicLong inWindow = new AtomicLong();
        httpError.set(null);
        long start = System.nanoTime();
        long measureFrom = start + warmupMs * 1_000_000L;
        long end = measureFrom + measureMs * 1_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> publishLoop(port, measureFrom, end, ok, inWindow, errors, reconnects),
                    "http-publisher-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(120_000);
        }
        return new long[]{inWindow.get(), ok.get(), errors.get(), reconnects.get()};
    }

    /** Publishes until {@code end}; answers that arrive within [measureFrom, end) count in {@code inWindow}. */
    private void publishLoop(int port, long measureFrom, long end, AtomicLong ok, AtomicLong inWindow, AtomicLong errors,
                             AtomicLong reconnects) {
        Socket s = null;
        InputStream in = null;
        OutputStream out = null;
        byte[] head = ("POST /.well-known/mercure HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        while (System.nanoTime() < end) {
            try {
                if (s == null) {
                    s = new Socket();
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(60_000);
                    in = new BufferedInputStream(s.getInputStream(), 8192);
                    out = s.getOutputStream();
                }
                byte[] body = ("topic=" + TOPIC + "&data=" + URLEncoder.encode(PubData.json(System.nanoTime()),
                        StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
                byte[] req = new byte[head.length + 8 + body.length];
                String len = body.length + "\r\n\r\n";
                System.arraycopy(head, 0, req, 0, head.length);
                byte[] lb = len.getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(lb, 0, req, head.length, lb.length);
                System.arraycopy(body, 0, req, head.length + lb.length, body.length);
                out.write(req, 0, head.length + lb.length + body.length);
                out.flush();
                int[] status = new int[1];
                boolean keep = readResponse(in, status);
                if (status[0] == 200) {
                    ok.incrementAndGet();
                    long done = System.nanoTime();
                    if (done >= measureFrom && done < end) {
                        inWindow.incrementAndGet();
                    }
                } else {
                    errors.incrementAndGet();
                    httpError.compareAndSet(null, "HTTP " + status[0]);
                }
                if (!keep) {
                    s.close();
                    s = null;
                    reconnects.incrementAndGet();
                }
            } catch (IOException e) {
                errors.incrementAndGet();
                httpError.compareAndSet(null, e.toString());
                try {
                    if (s != null) {
                        s.close();
                    }
                } catch (IOException ignored) {
                    // gone
                }
                s = null;
            }
        }
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // gone
        }
    }

    /** Reads one response (Content-Length or chunked body); @return whether the connection stays open. */
    private static boolean readResponse(InputStream in, int[] status) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before the answer");
        }
        status[0] = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            while (true) {
                String size = line(in);
                long n = Long.parseLong(size.trim().split(";")[0], 16);
                if (n == 0) {
                    line(in);
                    break;
                }
                skip(in, n);
                line(in);
            }
        } else if (length > 0) {
            skip(in, length);
        } else if (length < 0) {
            return false; // read to the end: not reusable
        }
        return !close;
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed in a body");
                }
                k = 1;
            }
            n -= k;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int l = b.length();
                return l > 0 && b.charAt(l - 1) == '\r' ? b.substring(0, l - 1) : b.toString();
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    private String report(List<Version> versions) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "(p) publish: %d live subscribers of one topic, 200-byte events, %.1f s measured after "
                + "%.1f s warm-up per level, one embedded-hub JVM per store and version%n%n", SUBSCRIBERS, measureMs / 1000.0, warmupMs / 1000.0));
        t.append("| version | store | mode | publishers | publishes/s | vs memory | errors | delivered / expected | cut | delivery p50 | p99 | notes |\n");
        t.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        Map<String, Double> memory = new LinkedHashMap<>();
        for (Result r : results) {
            if ("memory".equals(r.store)) {
                memory.put(r.version + "|" + r.mode + "|" + r.publishers, r.perSec);
            }
        }
        for (Result r : results) {
            Double m = memory.get(r.version + "|" + r.mode + "|" + r.publishers);
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %,.0f | %s | %,d | %,d / %,d | %d | %s | %s | %s |%n",
                    r.version, r.store, r.mode, r.publishers, r.perSec,
                    m == null || m == 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.perSec / m),
                    r.errors, r.delivered, NO_SUBSCRIBERS.equals(r.mode) ? 0 : r.total * SUBSCRIBERS, r.cut, r.p50, r.p99, r.note));
        }
        t.append('\n');
        for (Version v : versions) {
            Result pg = find(v.label, "postgresql", "http", 16);
            Result redis = find(v.label, "redis", "http", 16);
            Double m = memory.get(v.label + "|http|16");
            if (m != null && pg != null && redis != null) {
                t.append(String.format(Locale.ROOT, "- (p) %s: at 16 publishers over HTTP PostgreSQL %.2f and Redis %.2f of memory "
                        + "(goal: each >= 0.50)%n", v.label, pg.perSec / m, redis.perSec / m));
            }
            Result pgIn = find(v.label, "postgresql", "in process", 16);
            if (pgIn != null) {
                t.append(String.format(Locale.ROOT, "- (p) %s: in process, PostgreSQL with 16 publishers %,.0f publishes/s "
                        + "(goal: >= 5,000)%n", v.label, pgIn.perSec));
            }
        }
        for (String n : notes) {
            t.append("- ").append(n).append('\n');
        }
        t.append('\n');
        return t.toString();
    }

    private Result find(String version, String store, String mode, int n) {
        for (Result r : results) {
            if (r.version.equals(version) && r.store.equals(store) && r.mode.equals(mode) && r.publishers == n) {
                return r;
            }
        }
        return null;
    }

    // ---- the server JVM and the stores ----

    /** One {@link PubServer} child JVM. */
    static final class Server {
        final Process process;
        final int port;
        final PrintStream commands;
        final BufferedReader answers;

        Server(String classPath, List<String> props) throws IOException {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            int p = Bench.nextPort();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-XX:+UseG1GC",
                    "-Djava.util.logging.config.file=" + Paths.get("src/main/resources/logging.properties").toAbsolutePath()));
            cmd.addAll(props);
            cmd.addAll(List.of("-cp", classPath, PubServer.class.getName(), Integer.toString(p)));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Path log = Paths.get("target", "bench-pub-server.log");
            pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            process = pb.start();
            commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int bound = -1;
            while ((line = answers.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    bound = Integer.parseInt(line.split(" ")[1]);
                    break;
                }
            }
            if (bound < 0) {
                process.destroyForcibly();
                throw new IOException("the embedded hub did not start (" + String.join(" ", props)
                        + "); see bench/target/bench-pub-server.log: " + lastLine(log));
            }
            port = bound;
        }

        synchronized String command(String c) throws IOException {
            commands.println(c);
            String a = answers.readLine();
            if (a == null) {
                throw new IOException("the server JVM is gone; see bench/target/bench-pub-server.log");
            }
            return a;
        }

        void stop() throws InterruptedException {
            commands.close();
            // A graceful stop waits up to 10 s for Grizzly's idle keep-alive connections; nothing is
            // measured any more, so a SIGTERM after 2 s saves that.
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }

        private static String lastLine(Path log) {
            try {
                List<String> l = Files.readAllLines(log);
                for (int i = l.size() - 1; i >= 0; i--) {
                    if (l.get(i).contains("Exception") || l.get(i).contains("invalid") || l.get(i).contains("refused")) {
                        return l.get(i).trim();
                    }
                }
                return l.isEmpty() ? "" : l.get(l.size() - 1).trim();
            } catch (IOException e) {
                return "";
            }
        }
    }

    /** @return the updates of the JDBC store's {@code meta} table: one bump of the id sequence per append transaction */
    static long sequenceBumps(String prefix) {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = '" + prefix + "meta'")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }

    static void dropTables(String prefix) {
        try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
             var st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (var rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '"
                    + prefix.replace("_", "\\_") + "%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                st.execute("DROP TABLE IF EXISTS " + t + " CASCADE");
            }
        } catch (java.sql.SQLException e) {
            System.err.println("could not drop the bench tables " + prefix + "*: " + e.getMessage());
        }
    }

    static void deleteKeys(String prefix) {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379");
        try (var conn = client.connect()) {
            var keys = io.lettuce.core.ScanIterator.scan(conn.sync(), io.lettuce.core.ScanArgs.Builder.matches("{" + prefix + "}*"));
            while (keys.hasNext()) {
                conn.sync().del(keys.next());
            }
        } catch (RuntimeException e) {
            System.err.println("could not delete the bench keys " + prefix + "*: " + e.getMessage());
        } finally {
            client.shutdown();
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
