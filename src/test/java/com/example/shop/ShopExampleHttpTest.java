package com.example.shop;

import dev.ssekit.SseKitFeature;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.JerseyWeld;
import dev.ssekit.testsupport.ShellCommands;
import dev.ssekit.testsupport.ShellCommands.Output;

import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library guide's first path (docs/library.md, "Your first stream"), run as its curl commands run it:
 * the guide's own files, deployed as {@code shop} (Jersey on Grizzly, Weld SE), over HTTP on loopback.
 */
class ShopExampleHttpTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static JerseyWeld.Served shop;
    private static URI api;

    @BeforeAll
    static void deploy() {
        // The WAR "shop": Jersey adds the application's @ApplicationPath("api") to the context path.
        shop = JerseyWeld.serve("ssekit-shop-example", "/shop/", ResourceConfig.forApplicationClass(ShopApplication.class),
                OrderResource.class);
        api = shop.base().resolve("api/");
    }

    @AfterAll
    static void undeploy() {
        if (shop != null) {
            shop.close();
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void firstPath_asTheCurlCommandsRunIt() throws Exception {
        SseRecorder events = SseRecorder.to(api.resolve("orders/42/events")).open(); // curl -N .../events &
        String paid;
        try (events) {
            assertEquals(200, events.status());
            // curl -i -H 'Content-Type: application/json' -d '{"state":"paid"}' .../orders/42/status
            HttpResponse<String> r = send(HttpRequest.newBuilder(api.resolve("orders/42/status"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"paid\"}")));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("{\"state\":\"paid\"}", r.body());
            paid = r.headers().firstValue(SseKitFeature.EVENT_ID_HEADER).orElseThrow();
            events.assertEvent(paid, null, "{\"state\":\"paid\"}");
            events.assertExhausted();
        }
        // curl -X DELETE .../orders/42: published from code, while the client is away
        HttpResponse<String> cancelled = send(HttpRequest.newBuilder(api.resolve("orders/42")).DELETE());
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        // curl -N -H 'Last-Event-ID: <paid>' .../orders/42/events: what came after it, then live
        try (SseRecorder back = events.reconnect()) {
            ReceivedEvent replayed = back.assertEvent(cancelled.body(), null, "{\"state\":\"cancelled\"}");
            assertEquals(paid, back.header("Mercure-Last-Event-ID"), "replay started after " + replayed.id());
            back.assertExhausted();
        }
    }

    /** The README's two curl commands of the first path, run as written against the shop on this server. */
    @Test
    void firstPath_theReadmesCurlCommandsAsWritten() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> curls = ShellCommands.blocks(ShellCommands.section(readme, "## Stream from your own JAX-RS resource"))
                .stream().filter(block -> block.get(0).contains("/shop/api/")).findFirst().orElseThrow();
        assertEquals(2, curls.size(), "subscribe in the background, then post a status: " + curls);
        ShellCommands.requireOnPath("curl");
        String base = "http://127.0.0.1:" + api.getPort();
        String subscribe = curls.get(0);
        assertTrue(subscribe.endsWith(" &"), subscribe);
        Output events = ShellCommands.start(subscribe.substring(0, subscribe.length() - 2).replace("http://localhost:8080", base));
        try {
            // The stream's head is written when the resource returns: the subscription is in place.
            await().atMost(Duration.ofSeconds(30)).until(() -> events.text().startsWith(":"));
            Output post = ShellCommands.start(curls.get(1).replace("http://localhost:8080", base));
            assertEquals(0, post.awaitExit(Duration.ofSeconds(30)), post.text());
            String answer = post.text();
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            Matcher id = Pattern.compile("(?im)^SseKit-Event-ID: (\\S+)$").matcher(answer);
            assertTrue(id.find(), answer);
            assertTrue(answer.endsWith("\r\n\r\n{\"state\":\"paid\"}"), answer);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(
                    events.text().contains("id: " + id.group(1) + "\ndata: {\"state\":\"paid\"}\n\n"), events.text()));
        } finally {
            events.process().destroy();
        }
    }
}
