package dev.ssekit.arquillian;

import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.PlainHttp;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MicroProfile Telemetry on WildFly ({@code standalone-microprofile.xml}: the
 * {@code microprofile-telemetry} and {@code opentelemetry} subsystems, and SmallRye Health): the
 * user's WAR turns OpenTelemetry on in its {@code microprofile-config.properties} and sends metrics
 * and spans to OpenTelemetry's logging exporters, which the server ships and which write into the
 * server log: no collector to run, and the exported values are read back as the SDK prints them.
 * ssekit's instruments and spans come through the server's {@code OpenTelemetry} bean (the WAR
 * carries no OpenTelemetry jar). Run by the pom's {@code wildfly-microprofile} execution only.
 */
@ExtendWith(ArquillianExtension.class)
class TelemetryIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive telemetryWar() {
        return InjectedHubIT.ordersWar("telemetry.war", "ssekit.heartbeat=600ms\n"
                // MicroProfile Telemetry is off until the application turns it on.
                + "otel.sdk.disabled=false\n"
                + "otel.service.name=ssekit-telemetry-it\n"
                + "otel.metrics.exporter=logging\n"
                + "otel.traces.exporter=logging\n"
                + "otel.logs.exporter=none\n"
                + "otel.metric.export.interval=1000\n"
                + "otel.bsp.schedule.delay=200\n");
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath() + "api/orders/" + path);
    }

    /** @return the newest value the logging exporter printed for the metric {@code name} on topic "metered" */
    private static long exported(List<String> log, String name) {
        Pattern point = Pattern.compile("attributes=\\{messaging\\.destination\\.name=\"metered\"[^}]*}, value=(\\d+)");
        long value = -1;
        for (String line : log) {
            if (line.contains("name=" + name + ",")) {
                Matcher m = point.matcher(line);
                while (m.find()) {
                    value = Long.parseLong(m.group(1));
                }
            }
        }
        return value;
    }

    @Test
    void metricsAndSpans_reachTheServersOpenTelemetry() throws Exception {
        ServerLog log = ServerLog.current();
        long mark = log.mark();
        try (SseRecorder c = SseRecorder.to(api("metered")).timeout(WAIT).open()) {
            assertEquals(200, c.status());
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = PlainHttp.send(HttpRequest.newBuilder(api("metered"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("traceparent", TRACEPARENT)
                        .POST(HttpRequest.BodyPublishers.ofString("data=m" + i)).build());
                assertEquals(200, r.statusCode(), r.body());
            }
            c.assertData("m0", "m1", "m2");
            await().atMost(WAIT).until(() -> {
                List<String> lines = log.linesSince(mark);
                return exported(lines, "ssekit.events.published") == 3 && exported(lines, "ssekit.deliveries") == 3
                        && exported(lines, "ssekit.subscribers") == 1;
            });
        }
        // The publish spans are children of the server's span of each POST, which joined the caller's trace.
        await().atMost(WAIT).until(() -> log.linesSince(mark).stream()
                .filter(l -> l.contains("'publish' : " + TRACE_ID) && l.contains("[tracer: dev.ssekit:")).count() == 3);
        List<String> lines = log.linesSince(mark);
        assertTrue(lines.stream().anyMatch(l -> l.contains("'store' : " + TRACE_ID)), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("'fan-out' : " + TRACE_ID)), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("name=ssekit.delivery.lag,")), "the lag histogram");
    }

    /** SmallRye Health on the management port, with ssekit's checks. */
    @Test
    void health_showsSsekitsChecks() throws Exception {
        int management = Integer.getInteger("ssekit.wildfly.management", 11090);
        for (String kind : List.of("live", "ready")) {
            HttpResponse<String> r = PlainHttp.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + management + "/health/" + kind)).GET().build());
            assertEquals(200, r.statusCode(), r.body());
            String check = kind.equals("live") ? "ssekit-threads" : "ssekit-history";
            try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
                JsonObject found = reader.readObject().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                        .filter(o -> check.equals(o.getString("name"))).findFirst()
                        .orElseThrow(() -> new AssertionError("no check " + check + " in " + r.body()));
                assertEquals("UP", found.getString("status"), r.body());
            }
        }
    }
}
