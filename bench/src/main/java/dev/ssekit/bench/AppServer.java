package dev.ssekit.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A Jakarta EE server for {@code bench/run --server payara|wildfly}: Payara Micro or WildFly, as the
 * top-level build fetches them into {@code ../target}, with two WARs deployed: the hub WAR exactly as
 * {@code mvn package} builds it ({@code /hub}, its Mercure endpoint), and {@code raw.war}
 * ({@code /raw}), the plain {@code SseBroadcaster} resource of {@link dev.ssekit.bench.war}. Both run
 * in the same server JVM, with the same heap.
 */
final class AppServer {
    /** HTTP port offset of WildFly here: 8080 + 4100, management 9990 + 4100 (this checkout's ports). */
    static final int WILDFLY_OFFSET = Integer.getInteger("bench.wildfly.offset", 4100);

    final String kind;
    final int port;
    private final Process process;
    private final Path dir;

    private AppServer(String kind, int port, Process process, Path dir) {
        this.kind = kind;
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    /**
     * Starts the server with both WARs and waits until both answer.
     *
     * @param kind  {@code payara} or {@code wildfly}
     * @param heap  the server's -Xmx, e.g. {@code 2g}
     */
    static AppServer start(String kind, String heap) throws Exception {
        Path top = Paths.get("..").toAbsolutePath().normalize();
        Path hubWar;
        try (Stream<Path> s = Files.list(top.resolve("target"))) {
            hubWar = s.filter(p -> p.getFileName().toString().endsWith("-hub.war")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no ../target/*-hub.war: run mvn package at the top first"));
        }
        Path dir = Files.createDirectories(Paths.get("target", "server-" + kind).toAbsolutePath());
        Path wars = Files.createDirectories(dir.resolve("wars"));
        Files.copy(hubWar, wars.resolve("hub.war"), StandardCopyOption.REPLACE_EXISTING);
        rawWar(wars.resolve("raw.war"));
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // Settings of the hub WAR, as an operator gives them: environment variables. Anonymous
        // publishing (no JWT to sign or verify), as the plain side has none; a short heartbeat so
        // that a closed client is let go of between scenarios.
        Map<String, String> env = Map.of("SSEKIT_HUB_ANONYMOUS_PUBLISH", "true", "SSEKIT_HEARTBEAT", "2s");
        List<String> cmd = new ArrayList<>();
        String javaOpts = null;
        int port;
        if ("payara".equals(kind)) {
            Path jar = top.resolve("target/payara-micro.jar");
            require(jar);
            port = freePort(); // not the bench's 19100-19199: another checkout's embedded bench may use them
            cmd.addAll(List.of(java, "-Xmx" + heap, "-XX:+UseG1GC", "-jar", jar.toString(), "--nocluster",
                    "--port", Integer.toString(port), "--deploy", wars.resolve("hub.war").toString(),
                    "--deploy", wars.resolve("raw.war").toString()));
        } else if ("wildfly".equals(kind)) {
            Path home;
            try (Stream<Path> s = Files.list(top.resolve("target"))) {
                home = s.filter(p -> p.getFileName().toString().startsWith("wildfly-") && Files.isDirectory(p))
                        .findFirst().orElseThrow(() -> new IllegalStateException(
                                "no ../target/wildfly-*: run mvn verify at the top once (it unpacks WildFly)"));
            }
            // A server base of the bench's own, so that the container tests' standalone/ is left alone.
            Path base = dir.resolve("standalone");
            deleteTree(base);
            copyTree(home.resolve("standalone/configuration"), base.resolve("configuration"));
            Files.createDirectories(base.resolve("deployments"));
            Files.copy(wars.resolve("hub.war"), base.resolve("deployments/hub.war"));
            Files.copy(wars.resolve("raw.war"), base.resolve("deployments/raw.war"));
            port = 8080 + WILDFLY_OFFSET;
            // standalone.sh, for the JVM options WildFly needs on this JDK; JAVA_OPTS replaces only
            // standalone.conf's heap defaults.
            cmd.addAll(List.of("bash", home.resolve("bin/standalone.sh").toString(),
                    "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + WILDFLY_OFFSET,
                    "-Djboss.bind.address=127.0.0.1", "-Djboss.bind.address.management=127.0.0.1"));
            javaOpts = "-Xmx" + heap + " -XX:+UseG1GC -Djava.net.preferIPv4Stack=true";
        } else {
            throw new IllegalArgumentException("--server must be payara or wildfly, got " + kind);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        pb.environment().putAll(env);
        if (javaOpts != null) {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        Bench.progress("starting " + kind + " with hub.war and raw.war (log: bench/target/server-" + kind + "/server.log)");
        Process p = pb.start();
        AppServer server = new AppServer(kind, port, p, dir);
        server.awaitDeployed();
        return server;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void require(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException("no " + file + ": run mvn verify at the top once (it fetches the servers)");
        }
    }

    /** Waits (at most 5 minutes: the machine may be loaded) until both WARs answer. */
    private void awaitDeployed() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind + " stopped while starting; see " + dir.resolve("server.log"));
            }
            if (answers(http, "/raw/api/stats") && answers(http, "/hub/.well-known/oauth-protected-resource/.well-known/mercure")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(kind + " did not deploy both WARs in 5 minutes; see " + dir.resolve("server.log"));
    }

    private boolean answers(java.net.http.HttpClient http, String path) {
        try {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                    .timeout(java.time.Duration.ofSeconds(10)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the server JVM's process id (for its RSS and thread dumps): WildFly's script starts it as a child */
    long pid() {
        if (process.info().command().map(c -> c.endsWith("java")).orElse(false)) {
            return process.pid();
        }
        return process.descendants().filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst().map(ProcessHandle::pid).orElse(process.pid());
    }

    /** Writes a thread dump of the server JVM to {@code target/server-<kind>/<name>.txt}. */
    Path threadDump(String name) throws Exception {
        Path out = dir.resolve(name + ".txt");
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process p = new ProcessBuilder(jcmd, Long.toString(pid()), "Thread.print").redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    void stop() {
        long jvm = pid();
        ProcessHandle.of(jvm).ifPresent(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** {@code raw.war}: the classes of {@link dev.ssekit.bench.war} and {@link Payload}, nothing else. */
    private static void rawWar(Path war) throws IOException {
        Path classes = Paths.get("target", "classes");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(war))) {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(classes.resolve("dev/ssekit/bench/war"))) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
            files.add(classes.resolve("dev/ssekit/bench/Payload.class"));
            for (Path f : files) {
                zip.putNextEntry(new ZipEntry("WEB-INF/classes/" + classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
