package dev.ssekit.arquillian;

import dev.ssekit.testsupport.PlainHttp;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.TcpProxy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ssekit's MicroProfile Health checks at the server's own endpoints, with the hub WAR as built (only
 * its settings added): Redis history reached through a TCP proxy of the test's own, which the test
 * cuts and restores (the shared Redis keeps running). Readiness goes down while Redis is unreachable
 * and up again when it is back; liveness, ssekit's threads, stays up throughout.
 *
 * <p>Payara only (the pom leaves it out of WildFly's run): WildFly 39's default {@code standalone.xml} has no MicroProfile Health (its
 * {@code health} subsystem reports the server, on the management port, and gives deployments no
 * API), and there ssekit adds no check ({@code standalone-microprofile.xml} has SmallRye Health).
 */
@ExtendWith(ArquillianExtension.class)
class HealthIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String REDIS_PREFIX = "ssekit-health-it-" + UUID.randomUUID() + ":";
    private static TcpProxy proxy;

    @ArquillianResource
    private URL deployed;

    @Deployment(testable = false)
    static WebArchive hubOnRedisThroughAProxy() throws IOException {
        WebArchive built = ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war")));
        // Without Redis the WAR keeps history in memory, and the test then skips or fails saying why.
        String settings = "ssekit.history.store=memory\n";
        if (Services.redisReachable()) {
            proxy = TcpProxy.to("127.0.0.1", 6379);
            settings = "ssekit.history.store=redis\nssekit.history.redis.uri=redis://127.0.0.1:" + proxy.port()
                    + "\nssekit.history.redis.key.prefix=" + REDIS_PREFIX + "\n";
        }
        return ShrinkWrap.create(WebArchive.class, "health-hub.war").merge(built)
                .addAsResource(new StringAsset(settings), "META-INF/microprofile-config.properties");
    }

    @AfterAll
    static void closeProxy() throws IOException {
        if (proxy != null) {
            proxy.close();
            RedisKeys.deleteAll(REDIS_PREFIX);
        }
    }

    /** The server's health endpoint at its root: {@code /health}, or {@code /health/ready} for "ready". */
    private HttpResponse<String> health(String kind) {
        String path = kind.isEmpty() ? "/health" : "/health/" + kind;
        try {
            return PlainHttp.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + deployed.getPort() + path)).GET().build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the named check in a health response */
    private static JsonObject check(HttpResponse<String> response, String name) {
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readObject().getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                    .filter(c -> name.equals(c.getString("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no check " + name + " in " + response.body()));
        }
    }

    @Test
    void readinessFollowsTheHistoryStore_livenessStaysUp() throws Exception {
        Services.requireRedis();
        HttpResponse<String> ready = health("ready");
        assertEquals(200, ready.statusCode(), ready.body());
        JsonObject history = check(ready, "ssekit-history");
        assertEquals("UP", history.getString("status"), ready.body());
        assertEquals("RedisHistoryStore", history.getJsonObject("data").getString("store"), ready.body());
        HttpResponse<String> live = health("live");
        assertEquals(200, live.statusCode(), live.body());
        assertEquals("UP", check(live, "ssekit-threads").getString("status"), live.body());

        proxy.cut();
        await().atMost(WAIT).until(() -> health("ready").statusCode() == 503);
        HttpResponse<String> down = health("ready");
        JsonObject unreachable = check(down, "ssekit-history");
        assertEquals("DOWN", unreachable.getString("status"), down.body());
        assertTrue(unreachable.getJsonObject("data").getString("error").startsWith("Redis unreachable"), down.body());
        HttpResponse<String> stillLive = health("live");
        assertEquals(200, stillLive.statusCode(), "a store outage is no reason to restart: " + stillLive.body());
        assertEquals("UP", check(stillLive, "ssekit-threads").getString("status"), stillLive.body());

        proxy.restore();
        await().atMost(WAIT).until(() -> health("ready").statusCode() == 200);
        HttpResponse<String> back = health("ready");
        assertEquals("UP", check(back, "ssekit-history").getString("status"), back.body());
        HttpResponse<String> all = health("");
        assertEquals(200, all.statusCode(), all.body());
        assertEquals("UP", check(all, "ssekit-history").getString("status"), all.body());
        assertEquals("UP", check(all, "ssekit-threads").getString("status"), all.body());
    }
}
