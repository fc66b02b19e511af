package com.example.guide;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.SseKitFeature;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.JerseyWeld;

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
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java block of the library guide (docs/library.md) is a file of this package or of
 * {@code com.example.shop} (without its package and imports), or a fragment of {@link Snippets}; and
 * they run: the fragments here, the resources and beans over HTTP on Jersey and Weld, as a Jakarta EE
 * server would run them. {@link OrderService} (a JPA entity manager in a JTA transaction) is compiled
 * only; {@code TransactionalPublishIT} runs its kind on Payara and WildFly.
 */
class LibraryGuideExamplesTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Path GUIDE_SOURCES = Path.of("src/test/java/com/example/guide");
    private static JerseyWeld.Served guide;
    private static URI base;

    @BeforeAll
    static void deploy() {
        guide = JerseyWeld.serve("ssekit-library-guide", "/", new ResourceConfig(OrderStream.class, OrderResource.class,
                Snippets.Hello.class, SseKitFeature.class), OrderEvents.class, OrderStream.class, OrderResource.class,
                Audit.class, Snippets.Hello.class);
        base = guide.base();
    }

    @AfterAll
    static void undeploy() {
        if (guide != null) {
            guide.close();
        }
    }

    @Test
    void everyJavaBlockOfTheGuide_isOneOfTheseSources() throws Exception {
        List<String> sources = new ArrayList<>();
        for (String file : new String[] {"OrderStatus.java", "ShopApplication.java", "OrderResource.java"}) {
            sources.add(Files.readString(Path.of("src/it/shop/src/main/java/com/example/shop", file))); // GuideExamplesTest
        }
        for (String file : new String[] {"OrderEvents.java", "OrderStream.java", "OrderService.java"}) {
            sources.add(body(file));
        }
        sources.add(body("OrderResource.java") + "\n" + body("Audit.java")); // one block, two classes
        sources.addAll(fragments("Snippets.java"));
        List<String> blocks = javaBlocks("docs/library.md");
        for (String block : blocks) {
            assertTrue(sources.contains(block), "docs/library.md has a Java block that no source holds:\n" + block);
        }
        assertEquals(sources.size(), blocks.size(), "every source is a block of the guide");
    }

    /** The API page's Java blocks (docs/API.md) compile: each is a fragment of {@link ApiPageSnippets}. */
    @Test
    void everyJavaBlockOfTheApiPage_isAFragmentThatCompiles() throws Exception {
        assertEquals(fragments("ApiPageSnippets.java"), javaBlocks("docs/API.md"), "docs/API.md's Java blocks, in order");
    }

    /** The marked fragments of a source file of this package, without their indentation. */
    private static List<String> fragments(String file) throws Exception {
        List<String> fragments = new ArrayList<>();
        Matcher fragment = Pattern.compile("(?s)\n( *)// snippet: [\\w-]+\n(.*?)\n *// end snippet\n")
                .matcher(Files.readString(GUIDE_SOURCES.resolve(file)));
        while (fragment.find()) {
            fragments.add(fragment.group(2).replaceAll("(?m)^" + fragment.group(1), "") + "\n");
        }
        return fragments;
    }

    private static List<String> javaBlocks(String page) throws Exception {
        List<String> blocks = new ArrayList<>();
        Matcher block = Pattern.compile("(?s)```java\n(.*?)```\n").matcher(Files.readString(Path.of(page)));
        while (block.find()) {
            blocks.add(block.group(1));
        }
        return blocks;
    }

    @Test
    void event_isFramedAsTheGuideSays() {
        Event[] events = Snippets.events();
        assertEquals("event: notification\nid: notif-456\nretry: 3000\ndata: Order #123 shipped\n\n",
                events[0].toWireFormat());
        assertEquals(": keep-alive\n\n", events[1].toWireFormat());
    }

    @Test
    void builtHubs_publishAndClose() {
        try (Hub fixed = Snippets.builtHubs()) {
            String id = fixed.topic("orders", Order.class).publish(new Order("7", 10)).id();
            assertTrue(!id.isEmpty(), id);
        }
    }

    @Test
    void conn_sendsHelloAndAComment() {
        try (SseRecorder hello = SseRecorder.to(base.resolve("hello")).open()) {
            assertEquals(200, hello.status());
            hello.assertEvent(null, null, "hello");
            assertEquals("connected", hello.takeComment().strip());
            assertEquals("no data, just a comment", hello.takeComment().strip());
        }
    }

    @Test
    void orderEvents_throughTheOwnResource_liveThenReplay() {
        OrderEvents orderEvents = guide.weld().select(OrderEvents.class).get();
        SseRecorder stream = SseRecorder.to(base.resolve("orders/events")).open();
        String first;
        try (stream) {
            assertEquals(200, stream.status());
            first = orderEvents.created(new Order("42", 1200));
            stream.assertEvent(first, null, "{\"id\":\"42\",\"total\":1200}");
        }
        String second = orderEvents.created(new Order("43", 80));
        try (SseRecorder back = stream.reconnect()) { // the resource passes its Last-Event-ID on
            back.assertEvent(second, null, "{\"id\":\"43\",\"total\":80}");
            back.assertExhausted();
        }
    }

    @Test
    void annotatedResource_subscribesPublishesAndAnswersTheId() throws Exception {
        try (SseRecorder order = SseRecorder.to(base.resolve("orders/9/events")).open();
             SseRecorder all = SseRecorder.to(base.resolve("orders/events")).open()) {
            assertEquals(200, order.status());
            HttpResponse<String> status = post("orders/9/status", "{\"state\":\"packed\"}");
            assertEquals("{\"state\":\"packed\"}", status.body());
            String id = status.headers().firstValue(SseKitFeature.EVENT_ID_HEADER).orElseThrow();
            order.assertEvent(id, "status", "{\"state\":\"packed\"}");

            HttpResponse<String> created = post("orders", "{\"id\":\"9\",\"total\":55}");
            ReceivedEvent published = all.takeEvent();
            assertEquals(created.body(), published.id());
            assertEquals("{\"id\":\"9\",\"total\":55}", published.data());
            order.assertExhausted(); // topic "orders", not "orders/9"
        }
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    /** A source file of this package without its package and import lines. */
    private static String body(String file) throws Exception {
        return Files.readString(GUIDE_SOURCES.resolve(file)).replaceAll("(?m)^(package|import) .*;\n", "").stripLeading();
    }
}
