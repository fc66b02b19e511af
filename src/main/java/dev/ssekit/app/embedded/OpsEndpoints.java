package dev.ssekit.app.embedded;

import dev.ssekit.Hub;
import dev.ssekit.SseKitException;
import dev.ssekit.app.mercure.JsonStrings;
import dev.ssekit.internal.TextResponses;

import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The embedded hub's endpoints for operators, served by Grizzly beside the hub app (no JAX-RS filter,
 * no token): {@code GET /metrics} in the Prometheus text format, and health in MicroProfile Health's
 * JSON form, {@code 200} when every check is up and {@code 503} when one is down:
 * {@code /healthz} (both checks), {@code /healthz/live} (ssekit's threads) and
 * {@code /healthz/ready} (the history store). Mercure serves {@code /healthz} and {@code /metrics}
 * under the same names.
 *
 * <p>The checks are the library's MicroProfile Health checks ({@code ssekit-threads},
 * {@code ssekit-history}), computed through the public API they are documented beside
 * ({@link Hub#stuckThreads()}, {@link dev.ssekit.history.HistoryStore#check()}), on the hub's
 * own registry.
 */
final class OpsEndpoints extends FrontHandler {
    static final String METRICS = "/metrics";
    static final String HEALTH = "/healthz";
    static final String LIVE = "/healthz/live";
    static final String READY = "/healthz/ready";

    static final String LIVENESS = "ssekit-threads";
    static final String READINESS = "ssekit-history";

    private final HubTelemetry telemetry;
    private final Supplier<Hub> topics;

    private OpsEndpoints(HttpHandler hub, HubTelemetry telemetry, Supplier<Hub> topics) {
        super(hub);
        this.telemetry = telemetry;
        this.topics = topics;
    }

    /**
     * Serves the endpoints on their exact paths, in front of the hub app, which gets every other
     * request. In front of the one handler, not beside it: with a second handler Grizzly maps each
     * request to one of them first, and its mapper answered a target such as {@code /%2e%2e/etc}
     * with a bare 500 before {@link CheckedTargets} could answer 400 (found by HubFuzzTest).
     *
     * @param topics the hub's registry, closed first when the hub stops: readiness is down from then on
     */
    static void install(ServerConfiguration config, HubTelemetry telemetry, Supplier<Hub> topics) {
        FrontHandler.install(config, hub -> new OpsEndpoints(hub, telemetry, topics));
    }

    /**
     * One check's answer, in the form of the library's MicroProfile Health checks.
     *
     * @param key   its one datum's name: what was checked when up, {@code error} when down
     */
    record Check(String name, boolean up, String key, Object value) {
    }

    /** Live while the registry's writer threads and heartbeat sweeper work. */
    Check liveness() {
        Hub registry = topics.get();
        Optional<String> problem = registry.stuckThreads();
        return problem.map(p -> new Check(LIVENESS, false, "error", p))
                .orElseGet(() -> new Check(LIVENESS, true, "clients", registry.clients()));
    }

    /** Ready while the history store answers and the hub is not stopping. */
    Check readiness() {
        Hub registry = topics.get();
        if (registry.isClosed()) {
            return new Check(READINESS, false, "error", "the application is stopping");
        }
        try {
            registry.history().check();
        } catch (SseKitException e) {
            return new Check(READINESS, false, "error", String.valueOf(e.getMessage()));
        }
        return new Check(READINESS, true, "store", registry.history().getClass().getSimpleName());
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        String path = request.getRequestURI();
        if (!METRICS.equals(path) && !HEALTH.equals(path) && !LIVE.equals(path) && !READY.equals(path)) {
            next.service(request, response);
            return;
        }
        if (request.getMethod() != Method.GET && request.getMethod() != Method.HEAD) {
            response.setHeader("Allow", "GET, HEAD");
            send(response, 405, TextResponses.CONTENT_TYPE, "method not allowed: GET or HEAD\n"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (METRICS.equals(path)) {
            ByteArrayOutputStream text = new ByteArrayOutputStream(8192);
            telemetry.scrape(text);
            send(response, 200, HubTelemetry.CONTENT_TYPE, text.toByteArray());
            return;
        }
        List<Check> probes = switch (path) {
            case LIVE -> List.of(liveness());
            case READY -> List.of(readiness());
            case HEALTH -> List.of(liveness(), readiness());
            default -> null;
        };
        if (probes == null) {
            send(response, 404, TextResponses.CONTENT_TYPE, "404 Not Found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        boolean up = probes.stream().allMatch(Check::up);
        send(response, up ? 200 : 503, "application/json", health(up, probes).getBytes(StandardCharsets.UTF_8));
    }

    /** @return {@code {"status":"UP","checks":[{"name":…,"status":…,"data":{…}}]}}, as MicroProfile Health has it */
    static String health(boolean up, List<Check> probes) {
        StringBuilder json = new StringBuilder("{\"status\":\"").append(up ? "UP" : "DOWN")
                .append("\",\"checks\":[");
        for (int i = 0; i < probes.size(); i++) {
            Check p = probes.get(i);
            String value = p.value() instanceof Number ? p.value().toString()
                    : JsonStrings.quote(String.valueOf(p.value()));
            json.append(i == 0 ? "" : ",").append("{\"name\":").append(JsonStrings.quote(p.name()))
                    .append(",\"status\":\"").append(p.up() ? "UP" : "DOWN").append("\",\"data\":{")
                    .append(JsonStrings.quote(p.key())).append(':').append(value).append("}}");
        }
        return json.append("]}\n").toString();
    }

    private static void send(Response response, int status, String type, byte[] body) throws java.io.IOException {
        response.setStatus(status);
        response.setContentType(type);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
