package dev.ssekit.bench;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import dev.ssekit.SseKitFeature;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server JVM of the bench: Jersey + Grizzly + Weld SE, started as {@code EmbeddedHub} starts
 * the hub app, with ssekit's and the plain broadcaster's resources side by side. Prints
 * {@code READY <port>} once listening on 127.0.0.1, and runs until its standard input closes.
 */
public final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        BenchTelemetry.installIfAsked(); // before the bench's hub is built: it binds to the global one
        WeldContainer weld = new Weld().skipShutdownHook().initialize();
        BenchApp.State state = new BenchApp.State();
        ResourceConfig config = new ResourceConfig()
                .register(SseKitFeature.class)
                .registerInstances(new BenchApp.HubStream(state), new BenchApp.RawStream(state),
                        new BenchApp.Admin(state));
        HttpServer server = GrizzlyHttpServerFactory.createHttpServer(
                URI.create("http://127.0.0.1:" + port + "/"), config, false);
        // As EmbeddedHub does: the write timeout of ssekit (10 s) decides, not Grizzly's 30 s.
        server.getListeners().forEach(l -> l.getTransport().setWriteTimeout(10, TimeUnit.SECONDS));
        // As EmbeddedHub does: up to 200 request threads beyond the core ones (a replay's first page and
        // a publish each hold one while the store answers), so the scenarios load the store as the hub would.
        server.getListeners().forEach(l -> l.getTransport().setWorkerThreadPoolConfig(
                org.glassfish.grizzly.threadpool.ThreadPoolConfig.defaultConfig().copy().setPoolName("Grizzly-worker")
                        .setCorePoolSize(2 * Runtime.getRuntime().availableProcessors())
                        .setMaxPoolSize(Math.max(200, 2 * Runtime.getRuntime().availableProcessors()))));
        // The driver's admin requests reuse one connection; Grizzly would close it every 256 requests.
        server.getListeners().forEach(l -> l.getKeepAlive().setMaxRequestsCount(-1));
        // As EmbeddedHub does: ssekit's own non-blocking transport on Grizzly, where the tree has one
        // (looked up by name, so that a --before tree without it still builds with this harness).
        try {
            Class<?> transport = Class.forName("dev.ssekit.app.embedded.GrizzlyTransport");
            try {
                transport.getMethod("install", HttpServer.class).invoke(null, server);
            } catch (NoSuchMethodException e) { // a tree before detached streams
                transport.getMethod("install", org.glassfish.grizzly.http.server.ServerConfiguration.class)
                        .invoke(null, server.getServerConfiguration());
            }
            System.err.println("bench server: ssekit's Grizzly transport installed");
        } catch (ClassNotFoundException e) {
            System.err.println("bench server: this tree has no Grizzly transport; streams use the JAX-RS sink");
        }
        server.start();
        int bound = server.getListeners().iterator().next().getPort();
        System.out.println("READY " + bound);
        System.out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the driver keeps standard input open while it needs the server
                }
            } catch (java.io.IOException e) {
                // the driver is gone
            }
            stop.countDown();
        }, "bench-stdin");
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
        server.shutdownNow();
        weld.shutdown();
        System.exit(0);
    }
}
