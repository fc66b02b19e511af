package dev.ssekit.arquillian;

import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;
import dev.ssekit.testsupport.Tokens;

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
import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hub WAR as an operator configures it, with durable history: on Payara the server's default
 * {@code DataSource} by JNDI ({@code java:comp/DefaultDataSource}), on WildFly Redis, with the
 * Lettuce client the WAR carries. Settings come from the WAR's
 * {@code META-INF/microprofile-config.properties}.
 */
@ExtendWith(ArquillianExtension.class)
class DurableHubWarIT {
    private static final String REDIS_PREFIX = "ssekit-it-" + UUID.randomUUID() + ":";

    @ArquillianResource
    private URL deployed;

    private static boolean onRedis() {
        return "wildfly".equals(System.getProperty("arquillian.launch"));
    }

    @Deployment(testable = false)
    static WebArchive durableHub() {
        WebArchive built = ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("ssekit.war")));
        // Without Redis the WAR is deployed on JDBC, and the test then skips or fails saying why.
        String settings = "ssekit.hub.jwt.secret=" + Tokens.SECRET + "\n" + (onRedis() && Services.redisReachable()
                ? "ssekit.history.store=redis\nssekit.history.redis.uri=" + RedisKeys.URI
                        + "\nssekit.history.redis.key.prefix=" + REDIS_PREFIX + "\n"
                : "ssekit.history.store=jdbc\nssekit.history.jdbc.datasource=java:comp/DefaultDataSource\n");
        return ShrinkWrap.create(WebArchive.class, "durable-hub.war").merge(built)
                .addAsResource(new StringAsset(settings), "META-INF/microprofile-config.properties");
    }

    @AfterAll
    static void removeRedisKeys() {
        if (onRedis() && Services.redisReachable()) {
            RedisKeys.deleteAll(REDIS_PREFIX);
        }
    }

    private static final String PUBLISHER = Tokens.publisher("durable");

    private URI hub() {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath());
    }

    @Test
    void historyLivesInTheConfiguredStoreAndReplays() throws Exception {
        if (onRedis()) {
            Services.requireRedis();
        }
        URI hub = hub();
        String first = MercureClient.publish(hub, PUBLISHER, "durable", "one");
        String second = MercureClient.publish(hub, PUBLISHER, "durable", "two");
        // The hub gives every update an IRI of its own (Mercure); the store keeps it.
        assertTrue(first.startsWith("urn:uuid:") && second.startsWith("urn:uuid:"), first + ", " + second);
        if (onRedis()) {
            assertEquals(2, RedisKeys.streamLength(RedisKeys.key(REDIS_PREFIX, "topic:durable")), "the topic's stream in Redis");
        }
        try (SseRecorder c = MercureClient.subscribe(hub, "topic=durable", Map.of("Last-Event-ID", first))) {
            assertEquals(new ReceivedEvent(second, null, "two", null), c.takeEvent(), "replayed");
            assertEquals(first, c.header("Mercure-Last-Event-ID"));
            String third = MercureClient.publish(hub, PUBLISHER, "durable", "three");
            assertEquals(new ReceivedEvent(third, null, "three", null), c.takeEvent(), "live");
        }
    }
}
