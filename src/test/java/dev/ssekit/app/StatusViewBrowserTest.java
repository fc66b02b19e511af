package dev.ssekit.app;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.PlainHttp;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page's live status view in Chromium (Debian's {@code chromium}, headless, driven over the
 * DevTools protocol with the JDK's WebSocket client): it reads the embedded hub's {@code /metrics},
 * and its subscribers, events per second and delivery-lag percentiles follow what clients do, drawn
 * as charts, from the hub's own origin only. Skips, saying why, where no {@code chromium} is on the
 * PATH.
 */
class StatusViewBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Optional<Path> chromium() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .flatMap(dir -> Stream.of(Path.of(dir, "chromium"), Path.of(dir, "chromium-browser")))
                .filter(Files::isExecutable).findFirst();
    }

    /** One headless Chromium with one page, driven over the DevTools protocol. */
    private static final class Browser implements AutoCloseable {
        private final Process process;
        private final Path profile;
        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonObject>> answers = new ConcurrentHashMap<>();

        Browser(Path binary) throws Exception {
            profile = Files.createTempDirectory("ssekit-chromium");
            process = new ProcessBuilder(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            CompletableFuture<String> devtools = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader err = new BufferedReader(
                        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = err.readLine()) != null; ) {
                        Matcher m = Pattern.compile("DevTools listening on (ws://\\S+)").matcher(line);
                        if (m.find()) {
                            devtools.complete(m.group(1));
                        }
                    }
                    devtools.completeExceptionally(new IllegalStateException("chromium ended before it listened"));
                } catch (Exception e) {
                    devtools.completeExceptionally(e);
                }
            }, "chromium-stderr");
            reader.setDaemon(true);
            reader.start();
            URI browser = URI.create(devtools.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            String list = PlainHttp.get(URI.create("http://" + browser.getAuthority() + "/json/list"));
            Matcher page = Pattern.compile("\"webSocketDebuggerUrl\"\\s*:\\s*\"(ws://[^\"]+/devtools/page/[^\"]+)\"")
                    .matcher(list);
            assertTrue(page.find(), list);
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(page.group(1)),
                    new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                try (JsonReader r = Json.createReader(new StringReader(text.toString()))) {
                                    JsonObject message = r.readObject();
                                    if (message.containsKey("id")) {
                                        answers.computeIfAbsent(message.getInt("id"), k -> new CompletableFuture<>())
                                                .complete(message);
                                    }
                                }
                                text.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        /** @return the answer's {@code result}; fails on a protocol error */
        JsonObject call(String method, JsonObject params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonObject> answer = answers.computeIfAbsent(id, k -> new CompletableFuture<>());
            socket.sendText(Json.createObjectBuilder().add("id", id).add("method", method).add("params", params)
                    .build().toString(), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            JsonObject message = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            answers.remove(id);
            assertTrue(!message.containsKey("error"), message.toString());
            return message.getJsonObject("result");
        }

        /** @return the value of a JavaScript expression in the page, as JSON */
        JsonValue eval(String expression) throws Exception {
            JsonObject result = call("Runtime.evaluate", Json.createObjectBuilder()
                    .add("expression", "JSON.stringify(" + expression + ")").add("returnByValue", true).build())
                    .getJsonObject("result");
            if (!result.containsKey("value")) {
                return JsonValue.NULL; // undefined
            }
            try (JsonReader r = Json.createReader(new StringReader(result.getString("value")))) {
                return r.readValue();
            }
        }

        @Override
        public void close() throws Exception {
            socket.abort();
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double number(JsonValue v) {
        return v.getValueType() == JsonValue.ValueType.NUMBER ? ((jakarta.json.JsonNumber) v).doubleValue() : -1;
    }

    @Test
    void statusView_followsSubscribersRateAndLag() throws Exception {
        Path binary = chromium().orElse(null);
        if (binary == null) {
            dev.ssekit.testsupport.Services.missing("no chromium on the PATH: this test drives Debian's chromium package "
                    + "(apt-get install chromium; .ci/run installs it)");
        }
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.heartbeat", "1s"));
             Browser browser = new Browser(binary)) {
            browser.call("Page.navigate", Json.createObjectBuilder().add("url", hub.uri().toString()).build());
            // The page subscribes to "demo" itself: one subscriber before the test's own.
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> number(browser.eval("window.ssekitStatus && ssekitStatus.subscribers")) == 1);
            assertEquals(JsonValue.FALSE, browser.eval("document.getElementById('status').hidden"));

            try (SseRecorder a = MercureClient.subscribe(hub.uri(), "topic=demo", Map.of());
                 SseRecorder b = MercureClient.subscribe(hub.uri(), "topic=demo", Map.of())) {
                AtomicInteger sent = new AtomicInteger();
                await().atMost(WAIT).until(() -> {
                    MercureClient.publish(hub.uri(), "demo", "tick " + sent.incrementAndGet());
                    JsonObject s = browser.eval("ssekitStatus").asJsonObject();
                    return number(s.get("subscribers")) == 3 && number(s.get("rate")) > 0 && number(s.get("p50")) > 0
                            && number(s.get("p99")) >= number(s.get("p50"))
                            // Lag is known for the readings between which something was delivered: two, for a line.
                            && number(browser.eval("ssekitStatus.samples.filter(x => x.p50 !== null).length")) >= 2;
                });
                assertEquals("3", ((jakarta.json.JsonString) browser.eval(
                        "document.getElementById('now-subscribers').textContent")).getString());
                for (String chart : new String[] {"chart-subscribers", "chart-rate", "chart-lag"}) {
                    double points = number(browser.eval("document.querySelector('#" + chart + " polyline')"
                            + ".getAttribute('points').split(' ').filter(Boolean).length"));
                    assertTrue(points >= 2, chart + " draws a line: " + points + " points");
                }
            }
            // The test's clients left: found at the next heartbeat, and the chart follows.
            await().atMost(WAIT).until(() -> number(browser.eval("ssekitStatus.subscribers")) == 1);
            assertEquals(JsonValue.TRUE, browser.eval("performance.getEntriesByType('resource')"
                    + ".every(e => new URL(e.name).origin === location.origin)"), "no resource from another origin");
        }
    }
}
