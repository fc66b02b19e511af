package dev.ssekit.app.embedded;

import dev.ssekit.Hub;
import dev.ssekit.app.HubApplication;
import dev.ssekit.app.HubRegistry;
import dev.ssekit.app.mercure.ClientQuota;
import dev.ssekit.app.security.DevelopmentDefaults;
import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.SecuritySettings;
import dev.ssekit.internal.Settings;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Runs the hub app on Jersey + Grizzly + Weld SE: {@code mvn compile exec:java}.
 *
 * <p>Environment: {@code PORT} (default 8080) and {@code HOST} (default 127.0.0.1: loopback only).
 * Ctrl-C ends every stream cleanly (each client gets a last {@code retry:} hint), then stops the
 * server.
 *
 * <p>For operators, on the same port: Prometheus text on {@code GET /metrics}, from a metrics SDK of
 * the hub's own that the library reports to as it would to a MicroProfile Telemetry server's, and
 * health on {@code /healthz}, {@code /healthz/live} and {@code /healthz/ready} ({@link OpsEndpoints}).
 *
 * <p>Development default: when the hub listens on a loopback address and no JWT key is configured,
 * anybody on this machine may publish (unless {@code ssekit.hub.anonymous.publish=false}), and it
 * says so loudly. On any other address, or with a key, publishing needs a token, as in the WAR.
 *
 * <p>One hub per JVM: Jersey finds the hub's CDI beans through {@code CDI.current()}, which with two
 * Weld containers in one JVM hands the second hub the first one's beans (its keys, its registry), so
 * a second start while one runs is refused. Run more hubs as more processes.
 */
public final class EmbeddedHub implements AutoCloseable {
    // Not a static field: main chooses the log manager (StopLogManager) before Java logging is first used.
    private static Logger log() {
        return Logger.getLogger(EmbeddedHub.class.getName());
    }
    /** The largest request head (request line and headers) accepted, in bytes: 64 KiB. */
    static final int MAX_REQUEST_HEAD = 64 * 1024;
    /** The hub running in this JVM, if any (see the class documentation). */
    private static final AtomicReference<EmbeddedHub> RUNNING =
            new AtomicReference<>();
    /** Worker threads kept: Grizzly's own number, two per core. */
    private static final int WORKERS_CORE = 2 * Runtime.getRuntime().availableProcessors();
    /** Worker threads at most, as Tomcat's and Jetty's default (200). */
    static final int MAX_WORKERS = Math.max(200, WORKERS_CORE);
    /** The library's key, read here as well: the whole stop, the HTTP server's included, is held to it. */
    static final String SHUTDOWN_TIMEOUT = "ssekit.shutdown.timeout";
    /** The JDK's property naming the class of Java logging's manager. */
    private static final String LOG_MANAGER = "java.util.logging.manager";
    /** Beyond the shutdown timeout, what the shutdown hook waits before it lets the JVM exit anyway. */
    private static final Duration HOOK_MARGIN = Duration.ofSeconds(3);

    private final WeldContainer weld;
    private final HttpServer server;
    private final URI uri;
    private final Runnable closeTransport;
    private final InFlightRequests inFlight;
    private final HubTelemetry telemetry;
    private final Duration shutdownTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedHub(WeldContainer weld, HttpServer server, URI uri, Runnable closeTransport,
                        InFlightRequests inFlight, HubTelemetry telemetry, Duration shutdownTimeout) {
        this.weld = weld;
        this.server = server;
        this.uri = uri;
        this.closeTransport = closeTransport;
        this.inFlight = inFlight;
        this.telemetry = telemetry;
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Starts the hub.
     *
     * @param host the address to listen on
     * @param port the port; 0 for any free port
     * @return the running hub
     * @throws IOException if the port cannot be bound
     * @throws IllegalStateException if another embedded hub runs in this JVM
     */
    public static EmbeddedHub start(String host, int port) throws IOException {
        return start(host, port, null);
    }

    /**
     * Starts the hub, recording traces: a server span for each request to the hub's path, joined to
     * its {@code traceparent}, with the library's {@code publish} and {@code replay} spans as its
     * children (docs/operations.md, "Traces"), sent to {@code spans} in batches. {@link #start(String,
     * int)}, and so {@code exec:java}, records none: a launcher of your own passes the exporter it
     * wants (OTLP, logging), as the tests pass an in-memory one.
     *
     * @param spans where spans go; null for no traces
     * @return the running hub
     * @throws IOException if the port cannot be bound
     * @throws IllegalStateException if another embedded hub runs in this JVM
     */
    public static synchronized EmbeddedHub start(String host, int port, SpanExporter spans) throws IOException {
        EmbeddedHub other = RUNNING.get();
        if (other != null) {
            throw new IllegalStateException("an embedded hub already runs in this JVM (" + other.uri + "): a second "
                    + "one would be served the first one's CDI beans; close it first or start another process");
        }
        // Our own shutdown hook ends the streams first; Weld's would race it.
        boolean loopback = InetAddress.getByName(host).isLoopbackAddress();
        // The hub's metrics SDK, the application's OpenTelemetry as a MicroProfile Telemetry server's
        // would be: the library binds to it when the registry opens, below.
        HubTelemetry telemetry = new HubTelemetry(spans);
        WeldContainer weld = new Weld().skipShutdownHook()
                .addExtension(new DevelopmentBean(new DevelopmentDefaults(loopback), telemetry)).initialize();
        Runnable transport = null;
        try {
            ResourceConfig config = ResourceConfig.forApplicationClass(HubApplication.class);
            // The hub serves no WADL: without this, Jersey looks for JAXB and warns at every start.
            config.property(ServerProperties.WADL_FEATURE_DISABLE, true);
            if (telemetry.tracing()) {
                config.register(RequestPhases.class); // the request's phases, as events on its server span
            }
            HttpServer server = GrizzlyHttpServerFactory.createHttpServer(
                    URI.create("http://" + host + ":" + port + "/"), config, false);
            // Each front handler stands in front of the one before: the server keeps a single handler.
            OpsEndpoints.install(server.getServerConfiguration(), telemetry,
                    () -> weld.select(HubRegistry.class).get().hub());
            if (telemetry.tracing()) {
                // Behind CheckedTargets (installed next, so in front): only well-formed targets get a span.
                TraceContext.install(server.getServerConfiguration(), telemetry);
            }
            CheckedTargets.install(server.getServerConfiguration());
            InFlightRequests inFlight = InFlightRequests.install(server.getServerConfiguration());
            // Streams write through Grizzly's non-blocking output: a client that stops reading holds
            // no thread, and a cut closes its socket at once. Outermost: a stream may complete its
            // request (and Grizzly recycle it) as soon as the transport's handler returns, so no
            // other handler may still be reading the request then.
            transport = GrizzlyTransport.install(server);
            // Grizzly blocks a write to a client that stopped reading for 30 s by default, several
            // times per event; ssekit's write timeout (10 s) is the one that should decide.
            server.getListeners().forEach(l -> l.getTransport().setWriteTimeout(10, TimeUnit.SECONDS));
            // Access tokens with many authorization details pass Grizzly's 8 KiB default for the request
            // head: the hub's own limits on them, answered with 401 invalid_token, must be reachable.
            server.getListeners().forEach(l -> l.setMaxHttpHeaderSize(MAX_REQUEST_HEAD));
            // A publish holds its worker thread while the store takes the event (up to twice the
            // publish timeout on a bad day). Grizzly's pool is two threads per core, fixed: on two
            // cores four slow publishes held every request, the 503s of a stopping hub included.
            // Threads beyond the core ones are made only while all are busy.
            server.getListeners().forEach(l -> l.getTransport().setWorkerThreadPoolConfig(
                    l.getTransport().getWorkerThreadPoolConfig() == null
                            ? org.glassfish.grizzly.threadpool.ThreadPoolConfig.defaultConfig().copy()
                                    .setPoolName("Grizzly-worker").setCorePoolSize(WORKERS_CORE)
                                    .setMaxPoolSize(MAX_WORKERS)
                            : l.getTransport().getWorkerThreadPoolConfig().copy().setCorePoolSize(WORKERS_CORE)
                                    .setMaxPoolSize(MAX_WORKERS)));
            // The store is opened now, so that a bad setting or an unreachable store stops the start.
            weld.select(HubRegistry.class).get().hub();
            weld.select(HubSecurity.class).get().settings();
            weld.select(ClientQuota.class).get().max();
            Duration shutdownTimeout = Settings.current().duration(SHUTDOWN_TIMEOUT, Duration.ofSeconds(20));
            server.start();
            int bound = server.getListeners().iterator().next().getPort();
            EmbeddedHub hub = new EmbeddedHub(weld, server, URI.create("http://" + host + ":" + bound + "/"),
                    transport, inFlight, telemetry, shutdownTimeout);
            RUNNING.set(hub);
            return hub;
        } catch (IOException | RuntimeException e) {
            if (transport != null) {
                transport.run();
            }
            weld.shutdown();
            telemetry.close();
            throw e;
        }
    }

    /** @return the base URI the hub serves */
    public URI uri() {
        return uri;
    }

    /** Exports the spans ended so far (tests read them back at once rather than after the batch delay). */
    void flushSpans() {
        telemetry.flushSpans();
    }

    /** @return the hub's registry: its topics, their counts, and publishing in process */
    public Hub hub() {
        return weld.select(HubRegistry.class).get().hub();
    }

    /** @return the hub's security settings, as checked at start-up */
    public SecuritySettings security() {
        return weld.select(HubSecurity.class).get().settings();
    }

    /**
     * Ends every stream cleanly, then stops the server and the CDI container, within the shutdown
     * timeout ({@code ssekit.shutdown.timeout}, 20 s by default): the registry takes up to 85 % of it
     * (see {@code Hub.Builder#shutdownTimeout}), requests still running get the rest, then the
     * server closes every connection. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long started = System.nanoTime();
        long deadline = started + shutdownTimeout.toNanos();
        // Publishes from now on answer 503, and readiness too (the registry is closed), so that a load
        // balancer stops sending clients; publishes accepted are stored and written first.
        weld.select(HubRegistry.class).get().close();
        long registryClosed = System.nanoTime();
        // Requests still running (a publish waiting for a slow store) get their answers if they come
        // within the timeout; past it their connections are closed: not acknowledged. Grizzly's
        // graceful shutdown answers new requests 503; its own wait is not ours (see InFlightRequests).
        server.shutdown(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            int unanswered = inFlight.awaitNone(deadline);
            if (unanswered > 0) {
                log().warning("ssekit: " + unanswered + " request(s) still unanswered at the end of the shutdown "
                        + "timeout (" + shutdownTimeout.toMillis() + " ms); closing their connections");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long answered = System.nanoTime();
        server.shutdownNow();
        closeTransport.run();
        weld.shutdown();
        telemetry.close();
        RUNNING.compareAndSet(this, null);
        long ended = System.nanoTime();
        // The stop's phases, so that a stop that ran long shows which part did (the registry logs its own).
        log().info(() -> "ssekit hub stopped in " + millis(ended - started) + " ms (shutdown timeout "
                + shutdownTimeout.toMillis() + " ms): registry " + millis(registryClosed - started)
                + " ms, requests still running " + millis(answered - registryClosed) + " ms, server and container "
                + millis(ended - answered) + " ms");
    }

    /**
     * @param args ignored; see the class documentation for the environment
     * @throws Exception if the hub cannot start
     */
    public static void main(String[] args) throws Exception {
        // First, before anything logs: the stop's log lines must outlive the JVM's own reset of logging.
        if (System.getProperty(LOG_MANAGER) == null) {
            System.setProperty(LOG_MANAGER, StopLogManager.class.getName());
        }
        String host = env("HOST", "127.0.0.1");
        int port = parsePort(env("PORT", "8080"));
        EmbeddedHub hub = start(host, port);
        String shown = "127.0.0.1".equals(host) ? "localhost" : host;
        System.out.println("ssekit hub on http://" + shown + ":" + hub.uri().getPort() + "/ (listening on " + host
                + "), history store: " + hub.weld.select(HubRegistry.class).get().hub().history());
        System.out.println("Prometheus metrics on " + hub.uri().resolve(OpsEndpoints.METRICS.substring(1))
                + ", health on " + hub.uri().resolve(OpsEndpoints.HEALTH.substring(1)) + " (/live, /ready)");
        SecuritySettings security = hub.security();
        if (security.anonymousPublish()) {
            System.out.println("*****************************************************************************");
            System.out.println("WARNING: ANONYMOUS PUBLISHING IS ON: anybody who can reach " + host + " may publish,");
            System.out.println("private updates included. " + (security.anonymousSet()
                    ? "(" + SecuritySettings.ANONYMOUS_PUBLISH + "=true)"
                    : "This is the development default on loopback with no JWT key;"));
            System.out.println("set " + SecuritySettings.JWT_SECRET + " (or " + SecuritySettings.JWT_PUBLIC_KEY
                    + ") to require tokens.");
            System.out.println("*****************************************************************************");
        } else if (security.verifier() == null) {
            System.out.println("WARNING: no JWT key configured and anonymous publishing is off: every publish is "
                    + "refused with 401. Set " + SecuritySettings.JWT_SECRET + " or " + SecuritySettings.JWT_PUBLIC_KEY
                    + ".");
        } else {
            System.out.println("Publishing needs a JWT (" + security.describe() + ").");
        }
        System.out.println("Press Ctrl-C to stop.");
        CountDownLatch stopped = new CountDownLatch(1);
        // Logging's own shutdown hook waits for the stop (and at most as long as this hook does).
        CountDownLatch logged = StopLogManager.holdResetForStop(hub.shutdownTimeout.plus(HOOK_MARGIN).toMillis());
        if (!StopLogManager.inUse()) {
            // Not a warning: under mvn exec:java, Maven's own JVM set up logging before this main ran.
            log().config("ssekit hub: Java logging is managed by " + java.util.logging.LogManager.getLogManager()
                    .getClass().getName() + ", not " + StopLogManager.class.getName() + ": the stop's log lines "
                    + "after a SIGTERM may be lost (" + LOG_MANAGER + ")");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log().info("ssekit hub stopping: ending every stream (at most " + hub.shutdownTimeout.toMillis() + " ms)");
            // Each step of the stop is bounded; should one still hang, the JVM exits anyway, before
            // the platform's grace period ends and it kills the process.
            Thread closing = new Thread(() -> {
                hub.close();
                stopped.countDown();
            }, "ssekit-stop");
            closing.setDaemon(true);
            closing.start();
            try {
                if (!stopped.await(hub.shutdownTimeout.plus(HOOK_MARGIN).toMillis(), TimeUnit.MILLISECONDS)) {
                    log().warning("ssekit hub: the stop did not end within the shutdown timeout ("
                            + hub.shutdownTimeout.toMillis() + " ms) and " + HOOK_MARGIN.toSeconds()
                            + " s more; exiting without it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                logged.countDown();
            }
        }, "ssekit-shutdown"));
        stopped.await();
    }

    /**
     * Contributes the launcher's {@link DevelopmentDefaults} and its {@code OpenTelemetry} as beans;
     * the WAR has neither (a server gives it its own OpenTelemetry, if any).
     */
    static final class DevelopmentBean implements Extension {
        private final DevelopmentDefaults defaults;
        private final HubTelemetry telemetry;

        DevelopmentBean(DevelopmentDefaults defaults, HubTelemetry telemetry) {
            this.defaults = defaults;
            this.telemetry = telemetry;
        }

        void addBean(@Observes AfterBeanDiscovery event) {
            event.addBean().types(DevelopmentDefaults.class, Object.class).scope(Dependent.class)
                    .createWith(context -> defaults);
            event.addBean().types(OpenTelemetry.class).scope(Dependent.class)
                    .createWith(context -> telemetry);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
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
