package dev.ssekit.app;

import dev.ssekit.Event;
import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.PlainHttp;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.TcpProxy;

import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded hub's endpoints for operators, over real HTTP: Prometheus text on {@code /metrics}
 * whose values move as clients subscribe, events are published and written, and clients leave; and
 * health on {@code /healthz}, {@code /healthz/live} and {@code /healthz/ready}, down while the store is.
 */
class OpsEndpointsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOPIC = "https://example.com/ops/metrics";
    private static final String ON_TOPIC = "messaging_destination_name=\"" + TOPIC + "\"";
    /** Not configured: it reports under the shared tag, as every topic clients name does. */
    private static final String UNNAMED = "https://example.com/ops/unnamed";
    private static final String ON_OTHERS = "messaging_destination_name=\"ssekit:other-topics\"";

    private static HttpResponse<String> get(EmbeddedHub hub, String path) throws Exception {
        return PlainHttp.send(HttpRequest.newBuilder(hub.uri().resolve(path)).GET().build());
    }

    private static String scrape(EmbeddedHub hub) throws Exception {
        HttpResponse<String> r = get(hub, "metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return r.body();
    }

    /**
     * @return the value of the sample {@code name} whose labels include every one of {@code labels}
     *         (each {@code key="value"}); 0 when there is none yet
     */
    static double sample(String text, String name, String... labels) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)})? (\\S+)$", Pattern.MULTILINE)
                .matcher(text);
        double found = 0;
        int matches = 0;
        while (m.find()) {
            boolean all = true;
            for (String l : labels) {
                all &= m.group(1) != null && m.group(1).contains(l);
            }
            if (all) {
                found = Double.parseDouble(m.group(2));
                matches++;
            }
        }
        assertTrue(matches <= 1, "one series of " + name + " with " + String.join(",", labels) + ":\n" + text);
        return found;
    }

    @Test
    void metrics_moveWithSubscribesPublishesAndLeaves() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.heartbeat", "1s", "ssekit.metrics.topics", TOPIC))) {
            String before = scrape(hub);
            assertEquals(0, sample(before, "ssekit_subscribers", ON_TOPIC), before);
            assertEquals(0, sample(before, "ssekit_events_published_total", ON_TOPIC), before);

            String query = "topic=" + MercureClient.encode(TOPIC);
            try (SseRecorder first = MercureClient.subscribe(hub.uri(), query, Map.of());
                 SseRecorder second = MercureClient.subscribe(hub.uri(), query, Map.of())) {
                await().atMost(WAIT).until(() -> sample(scrape(hub), "ssekit_subscribers", ON_TOPIC) == 2);
                assertEquals(2, sample(scrape(hub), "ssekit_clients"));
                for (int i = 0; i < 3; i++) {
                    MercureClient.publish(hub.uri(), TOPIC, "update " + i);
                }
                first.assertData("update 0", "update 1", "update 2");
                second.assertData("update 0", "update 1", "update 2");
                // Counted once the write returned, which may be just after the client read it.
                await().atMost(WAIT).until(() -> {
                    String text = scrape(hub);
                    return sample(text, "ssekit_deliveries_total", ON_TOPIC, "ssekit_delivery_outcome=\"written\"") == 6
                            && sample(text, "ssekit_delivery_lag_seconds_count", ON_TOPIC) == 6;
                });
                String after = scrape(hub);
                assertEquals(3, sample(after, "ssekit_events_published_total", ON_TOPIC), after);
                assertEquals(6, sample(after, "ssekit_delivery_lag_seconds_count", ON_TOPIC),
                        "one lag per delivery written");
                assertTrue(sample(after, "ssekit_delivery_lag_seconds_sum", ON_TOPIC) > 0, after);
                assertEquals(6, sample(after, "ssekit_delivery_lag_seconds_bucket", ON_TOPIC, "le=\"+Inf\""), after);
                assertEquals(0, sample(after, "ssekit_deliveries_total", ON_TOPIC,
                        "ssekit_delivery_outcome=\"dropped\""));
                assertTrue(sample(after, "ssekit_store_duration_seconds_count", "ssekit_store=\"InMemoryHistoryStore\"",
                        "ssekit_store_operation=\"append\"") >= 1, after);
                assertTrue(after.contains("\nssekit_queued_bytes "), after);
                assertTrue(sample(after, "ssekit_writer_threads") > 0, after);
                assertEquals(0, sample(after, "ssekit_writer_threads_stalled"), "Grizzly's output holds no thread");

                MercureClient.publish(hub.uri(), UNNAMED, "nobody listens");
                String others = scrape(hub);
                assertEquals(1, sample(others, "ssekit_events_published_total", ON_OTHERS), others);
                assertTrue(!others.contains(UNNAMED), "no series names a topic that is not configured");
            }
            // The clients left: found at the next heartbeat at the latest.
            await().atMost(WAIT).until(() -> sample(scrape(hub), "ssekit_subscribers", ON_TOPIC) == 0);
        }
    }

    @Test
    void metrics_countACutByItsReasonAndWhatTheCutClientLost() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.queue.capacity", "4", "ssekit.metrics.topics", "feed"));
             Socket stalled = MercureClient.openAndStopReading(hub.uri(), "topic=feed", WAIT)) {
            String feed = "messaging_destination_name=\"feed\"";
            await().atMost(WAIT).until(() -> sample(scrape(hub), "ssekit_subscribers", feed) == 1);
            String data = "x".repeat(64 * 1024);
            // Bounded: the client's socket, Grizzly's 64 KiB and a queue of 4 fill long before.
            for (int i = 0; i < 500 && hub.hub().stats("feed").cut() == 0; i++) {
                hub.hub().publish(List.of("feed"), Event.of(data));
            }
            await().atMost(WAIT).until(() -> sample(scrape(hub), "ssekit_cuts_total", feed,
                    "ssekit_cut_reason=\"slow_consumer\"") == 1);
            String after = scrape(hub);
            assertEquals(0, sample(after, "ssekit_cuts_total", feed, "ssekit_cut_reason=\"write_timeout\""), after);
            assertTrue(sample(after, "ssekit_deliveries_total", feed, "ssekit_delivery_outcome=\"dropped\"") >= 1,
                    after);
            assertEquals(sample(after, "ssekit_deliveries_total", feed, "ssekit_delivery_outcome=\"written\""),
                    sample(after, "ssekit_delivery_lag_seconds_count", feed), "one lag per delivery written");
            assertEquals(0, sample(after, "ssekit_subscribers", feed), after);
        }
    }

    @Test
    void health_upWhileTheHubRuns() throws Exception {
        try (EmbeddedHub hub = Hubs.start(Map.of())) {
            for (String path : new String[] {"healthz", "healthz/live", "healthz/ready"}) {
                HttpResponse<String> r = get(hub, path);
                assertEquals(200, r.statusCode(), path + ": " + r.body());
                assertTrue(r.body().startsWith("{\"status\":\"UP\",\"checks\":[{\"name\":\"ssekit-"), r.body());
            }
            assertTrue(get(hub, "healthz/ready").body().contains("\"store\":\"InMemoryHistoryStore\""));
            assertEquals(405, PlainHttp.send(HttpRequest.newBuilder(hub.uri().resolve("healthz"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        }
    }

    @Test
    void readiness_downWhileTheStoreIsCutOff_livenessStaysUp() throws Exception {
        Services.requireRedis();
        String prefix = "ssekit-ops-" + System.nanoTime() + ":";
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", 6379);
             EmbeddedHub hub = Hubs.start(Map.of("ssekit.history.store", "redis",
                     "ssekit.history.redis.uri", "redis://127.0.0.1:" + proxy.port(),
                     "ssekit.history.redis.key.prefix", prefix))) {
            assertEquals(200, get(hub, "healthz/ready").statusCode());
            proxy.cut();
            await().atMost(WAIT).until(() -> get(hub, "healthz/ready").statusCode() == 503);
            HttpResponse<String> down = get(hub, "healthz");
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().startsWith("{\"status\":\"DOWN\""), down.body());
            assertTrue(down.body().contains("{\"name\":\"ssekit-threads\",\"status\":\"UP\""), down.body());
            assertEquals(200, get(hub, "healthz/live").statusCode(), "a store outage restarts nothing");
            proxy.restore();
            await().atMost(WAIT).until(() -> get(hub, "healthz/ready").statusCode() == 200);
        } finally {
            RedisKeys.deleteAll(prefix);
        }
    }
}
