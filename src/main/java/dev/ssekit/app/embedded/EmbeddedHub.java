package dev.ssekit.app.embedded;

import dev.ssekit.app.HubApplication;
import dev.ssekit.internal.cdi.HubProducer;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs the hub app on Jersey + Grizzly + Weld SE: {@code mvn compile exec:java}.
 *
 * <p>Environment: {@code PORT} (default 8080) and {@code HOST} (default 127.0.0.1: loopback only,
 * since publishing is anonymous). Ctrl-C ends every stream cleanly, then stops the server.
 */
public final class EmbeddedHub implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedHub.class.getName());

    private final WeldContainer weld;
    private final HttpServer server;
    private final URI uri;

    private EmbeddedHub(WeldContainer weld, HttpServer server, URI uri) {
        this.weld = weld;
        this.server = server;
        this.uri = uri;
    }

    /**
     * Starts the hub.
     *
     * @param host the address to listen on
     * @param port the port; 0 for any free port
     * @return the running hub
     * @throws IOException if the port cannot be bound
     */
    public static EmbeddedHub start(String host, int port) throws IOException {
        // Our own shutdown hook ends the streams first; Weld's would race it.
        WeldContainer weld = new Weld().skipShutdownHook().initialize();
        try {
            ResourceConfig config = ResourceConfig.forApplicationClass(HubApplication.class);
            HttpServer server = GrizzlyHttpServerFactory.createHttpServer(
                    URI.create("http://" + host + ":" + port + "/"), config, false);
            // Grizzly blocks a write to a client that stopped reading for 30 s by default, several
            // times per event; ssekit's write timeout (10 s) is the one that should decide.
            server.getListeners().forEach(l -> l.getTransport().setWriteTimeout(10, TimeUnit.SECONDS));
            // The store is opened now, so that a bad setting or an unreachable store stops the start.
            weld.select(HubProducer.class).get().topics();
            server.start();
            int bound = server.getListeners().iterator().next().getPort();
            return new EmbeddedHub(weld, server, URI.create("http://" + host + ":" + bound + "/"));
        } catch (IOException | RuntimeException e) {
            weld.shutdown();
            throw e;
        }
    }

    /** @return the base URI the hub serves */
    public URI uri() {
        return uri;
    }

    /** Ends every stream cleanly, then stops the server and the CDI container. */
    @Override
    public void close() {
        weld.select(HubProducer.class).get().close();
        server.shutdownNow();
        weld.shutdown();
    }

    /**
     * @param args ignored; see the class documentation for the environment
     * @throws Exception if the hub cannot start
     */
    public static void main(String[] args) throws Exception {
        String host = env("HOST", "127.0.0.1");
        int port = parsePort(env("PORT", "8080"));
        EmbeddedHub hub = start(host, port);
        String shown = "127.0.0.1".equals(host) ? "localhost" : host;
        System.out.println("ssekit hub on http://" + shown + ":" + hub.uri().getPort() + "/ (listening on " + host
                + "), history store: " + hub.weld.select(HubProducer.class).get().topics().history());
        System.out.println("WARNING: anybody who can reach this address may publish (anonymous publishing is a "
                + "development default; authorization is not built yet). Press Ctrl-C to stop.");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("ssekit hub stopping: ending every stream");
            hub.close();
            stopped.countDown();
        }, "ssekit-shutdown"));
        stopped.await();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("PORT must be a number from 0 to 65535, got \"" + value + "\"");
    }
}
