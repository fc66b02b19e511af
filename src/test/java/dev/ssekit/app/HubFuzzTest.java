package dev.ssekit.app;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawHttp;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random and malformed requests against the publish and subscribe endpoints, from a fixed seed and
 * bounded in count and time: every answer is a 4xx with a text body saying what is wrong (or 2xx
 * where the input happens to be valid), never a 5xx, never a stack trace, never a header the client
 * injected; and the hub still publishes and streams afterwards.
 */
class HubFuzzTest {
    private static final long SEED = 20261123L;
    private static final int MAX_REQUESTS = 2500;
    private static final Duration BUDGET = Duration.ofSeconds(25);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final String PATH = "/" + MercureClient.PATH;

    private final Random random = new Random(SEED);
    private final String token = Tokens.publisher("*");

    /** One kind of malformed request: a name for the tally, and the bytes. */
    private record Case(String kind, byte[] request) {
    }

    @Test
    void fuzz_publishAndSubscribe_alwaysAClearAnswerAndTheHubStaysUp() throws Exception {
        List<Supplier<Case>> generators = List.of(this::randomForm, this::brokenEncoding, this::hugeBody,
                this::manyTopics, this::absurdLastEventId, this::headerInjection, this::badTokens,
                this::oddMethodsAndTypes, this::randomQuery, this::lyingLength, this::queryMethod);
        Map<String, TreeMap<Integer, Integer>> tally = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (EmbeddedHub hub = Hubs.start(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.cors.origins", "https://app.example.com"))) {
            long deadline = System.nanoTime() + BUDGET.toNanos();
            int sent = 0;
            while (sent < MAX_REQUESTS && System.nanoTime() < deadline) {
                Case c = generators.get(random.nextInt(generators.size())).get();
                RawHttp.Answer a;
                try {
                    a = RawHttp.exchange(hub.uri().getPort(), c.request(), ANSWER_WAIT);
                } catch (java.io.IOException e) {
                    a = new RawHttp.Answer(-1, Map.of(), e.toString());
                }
                sent++;
                // A bare 400 with no Content-Type comes from the HTTP server's own parser (oversized
                // head, unparseable Content-Length), before any of the hub's code: counted apart.
                boolean framing = a.status() == 400 && a.body().isBlank() && a.header("content-type") == null;
                tally.computeIfAbsent(c.kind(), k -> new TreeMap<>()).merge(framing ? -400 : a.status(), 1,
                        Integer::sum);
                String problem = judge(a, new String(c.request(), 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD "));
                if (problem != null && problems.size() < 20) {
                    problems.add(c.kind() + ": " + problem + "\n  request: " + preview(c.request()));
                }
            }
            System.out.println("fuzz: " + sent + " requests, seed " + SEED + ", status counts per kind (-400: bare 400 "
                    + "from the HTTP server's parser): " + tally);
            assertEquals(List.of(), problems);
            assertTrue(sent >= 200, "the run must try enough requests: " + sent);

            // Still up: a normal subscribe and publish work.
            try (SseRecorder c = MercureClient.subscribe(hub.uri(), "topic=after-fuzz", Map.of())) {
                String id = MercureClient.publish(hub.uri(), token, "after-fuzz", "still here");
                ReceivedEvent e = c.takeEvent();
                assertEquals(id, e.id());
                assertEquals("still here", e.data());
            }
        }
    }

    /** @return what is wrong with an answer, or null; a HEAD answer has no body by definition */
    private static String judge(RawHttp.Answer a, boolean head) {
        if (a.status() == 0) {
            return "no answer: the connection closed";
        }
        if (a.status() == -1) {
            return "no answer: " + a.body();
        }
        if (a.status() >= 500) {
            return "status " + a.status() + ": " + a.body();
        }
        if (a.body().contains("Exception") || a.body().contains("\tat ") || a.body().contains("at java.")) {
            return "a stack trace reached the client: " + a.body();
        }
        if (a.headers().keySet().stream().anyMatch(h -> h.startsWith("x-injected"))) {
            return "an injected header came back: " + a.headers();
        }
        if (a.status() >= 400 && a.body().isBlank() && a.header("content-type") != null && !head) {
            return "status " + a.status() + " without a message";
        }
        return null;
    }

    private static String preview(byte[] request) {
        String s = new String(request, 0, Math.min(request.length, 300), StandardCharsets.ISO_8859_1);
        return s.replace("\r", "\\r").replace("\n", "\\n") + (request.length > 300 ? "... (" + request.length + " bytes)" : "");
    }

    // ---- generators ----------------------------------------------------------------------------

    private byte[] post(String headers, byte[] body) {
        return RawHttp.request("POST", PATH, "Content-Type: application/x-www-form-urlencoded\r\n" + headers, body);
    }

    private String auth() {
        return random.nextInt(10) < 8 ? "Authorization: Bearer " + token + "\r\n" : "";
    }

    private byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private String randomValue() {
        return switch (random.nextInt(9)) {
            case 0 -> "";
            case 1 -> randomText(random.nextInt(40));
            case 2 -> "%0D%0Aid:%20forged";
            case 3 -> "%00";
            case 4 -> "x".repeat(random.nextInt(5000));
            case 5 -> percentBytes(random.nextInt(30));
            case 6 -> "ssekit:private:" + randomText(5);
            case 7 -> Long.toString(random.nextLong());
            default -> "%F0%9F%98%80" + randomText(3);
        };
    }

    private String randomText(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) (0x21 + random.nextInt(0x5e)));
        }
        return b.toString().replace("&", "%26").replace("%", "%25").replace("=", "%3D").replace("+", "%2B")
                .replace("%2526", "%26").replace("%253D", "%3D").replace("%252B", "%2B");
    }

    /** Random bytes, percent-encoded: mostly not UTF-8. */
    private String percentBytes(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append('%').append(String.format("%02X", random.nextInt(256)));
        }
        return b.toString();
    }

    private Case randomForm() {
        String[] fields = {"topic", "data", "id", "type", "retry", "private", "lastEventID", "x" + random.nextInt(9)};
        StringBuilder form = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            if (form.length() > 0) {
                form.append(random.nextInt(20) == 0 ? "&&" : "&");
            }
            form.append(fields[random.nextInt(fields.length)]);
            if (random.nextInt(10) > 0) {
                form.append('=').append(randomValue());
            }
        }
        if (random.nextBoolean()) {
            form.append("&topic=").append(randomText(8));
        }
        return new Case("random form", post(auth(), ascii(form.toString())));
    }

    private Case brokenEncoding() {
        String[] broken = {"%", "%Z", "%4", "%ZZ", "%%", "%C3%28", "%ED%A0%80", "%FF%FE", "%E0%80", "%C0%AF", "a%2"};
        String bad = broken[random.nextInt(broken.length)];
        String form = random.nextBoolean() ? "topic=t&data=" + bad : "topic=" + bad + "&data=x";
        if (random.nextInt(4) == 0) {
            form = bad + "=x&topic=t";
        }
        if (random.nextInt(3) == 0) {
            // Raw bytes that are not UTF-8 at all, unencoded.
            byte[] raw = ascii("topic=t&data=");
            byte[] junk = new byte[1 + random.nextInt(20)];
            random.nextBytes(junk);
            byte[] body = new byte[raw.length + junk.length];
            System.arraycopy(raw, 0, body, 0, raw.length);
            System.arraycopy(junk, 0, body, raw.length, junk.length);
            return new Case("raw non-UTF-8 bytes", post(auth(), body));
        }
        return new Case("broken percent-encoding", post(auth(), ascii(form)));
    }

    private Case hugeBody() {
        int size = random.nextBoolean() ? 4 * 1024 * 1024 + 1 + random.nextInt(1024 * 1024) : 1024 * 1024 + random.nextInt(64);
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'x');
        System.arraycopy(ascii("topic=t&data="), 0, body, 0, 13);
        if (random.nextBoolean()) {
            // Chunked, so the size is known only by reading.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ascii("POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth()
                    + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"));
            for (int off = 0; off < body.length; off += 65536) {
                int n = Math.min(65536, body.length - off);
                out.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
                out.write(body, off, n);
                out.writeBytes(ascii("\r\n"));
            }
            out.writeBytes(ascii("0\r\n\r\n"));
            return new Case("huge chunked body", out.toByteArray());
        }
        return new Case("huge body", post(auth(), body));
    }

    private Case manyTopics() {
        int n = 1000 + random.nextInt(4000);
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < n; i++) {
            q.append(i == 0 ? "" : "&").append("topic=t").append(i);
        }
        if (random.nextBoolean()) {
            return new Case("thousands of topics, publish", post(auth(), ascii(q + "&data=x")));
        }
        return new Case("thousands of topics, subscribe", RawHttp.request("GET", PATH + "?" + q,
                "Accept: text/event-stream\r\n", null));
    }

    private Case absurdLastEventId() {
        String[] ids = {"x".repeat(2000), "-1", "earliest ", "99999999999999999999999999", "%00", "\u00ff\u00fe",
                "urn:ssekit:-5", "0-0", "urn:ssekit:" + Long.MAX_VALUE, "", " ", "\t", "a\u0001b"};
        String id = ids[random.nextInt(ids.length)];
        if (random.nextBoolean()) {
            return new Case("absurd Last-Event-ID header", RawHttp.request("GET", PATH + "?topic=t",
                    "Accept: text/event-stream\r\nLast-Event-ID: " + id + "\r\n", null));
        }
        return new Case("absurd lastEventID query", RawHttp.request("GET", PATH + "?topic=t&lastEventID="
                + MercureClient.encode(id), "Accept: text/event-stream\r\n", null));
    }

    private Case headerInjection() {
        String[] tricks = {
            "Last-Event-ID: a\r\nX-Injected: 1\r\n",
            "Origin: https://app.example.com\r\nX-Injected-Too: 1\r\n",
            "Origin: https://app.example.com%0d%0aX-Injected: 1\r\n",
            "Origin: https://app.example.com\rX-Injected: 1\r\n",
            "Last-Event-ID: a\r\n X-Injected-Folded: 1\r\n",
            "Last-Event-ID: a\u0000b\r\n",
            "X-Long: " + "h".repeat(20000) + "\r\n",
            "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n",
            "Cookie: mercureAuthorization=\u00ff\u00fe; ;;=\r\n",
        };
        String h = tricks[random.nextInt(tricks.length)];
        if (random.nextBoolean()) {
            return new Case("header injection, subscribe", RawHttp.request("GET", PATH + "?topic=t",
                    "Accept: text/event-stream\r\n" + h, null));
        }
        return new Case("header injection, publish", post(h, ascii("topic=t&data=x")));
    }

    private Case badTokens() {
        String good = Tokens.publisher("*");
        String[] tokens = {"", "x", "a.b.c", good.substring(0, good.length() - 5), good + "x",
                Tokens.none(Tokens.claims(List.of("*"), null).build()), "Bearer", "..", "\u00ff.\u00fe.\u00fd",
                "eyJ" + "A".repeat(10000), good.replace('.', ' '),
                Tokens.hs256(Tokens.SECRET, new com.nimbusds.jwt.JWTClaimsSet.Builder()
                        .claim("mercure", Map.of("publish", List.of(1, 2), "subscribe", "nope")).build())};
        String t = tokens[random.nextInt(tokens.length)];
        String header = random.nextInt(3) == 0 ? "Cookie: mercureAuthorization=" + t + "\r\nOrigin: https://app.example.com\r\n"
                : "Authorization: " + (random.nextInt(5) == 0 ? "Basic " : "Bearer ") + t + "\r\n";
        if (random.nextBoolean()) {
            return new Case("bad token, subscribe", RawHttp.request("GET", PATH + "?topic=t",
                    "Accept: text/event-stream\r\n" + header, null));
        }
        return new Case("bad token, publish", post(header, ascii("topic=t&data=x")));
    }

    private Case oddMethodsAndTypes() {
        String[] methods = {"PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO"};
        String[] types = {"application/json", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=ISO-8859-1", "garbage", ""};
        if (random.nextBoolean()) {
            String m = methods[random.nextInt(methods.length)];
            return new Case("odd method", RawHttp.request(m, PATH + "?topic=t", "", m.equals("HEAD") || m.equals("OPTIONS") ? null : ascii("x")));
        }
        String type = types[random.nextInt(types.length)];
        return new Case("odd content type", RawHttp.request("POST", PATH, auth() + (type.isEmpty() ? "" : "Content-Type: " + type + "\r\n"),
                ascii("topic=t&data=x")));
    }

    private Case randomQuery() {
        StringBuilder q = new StringBuilder();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            q.append(i == 0 ? "" : "&").append(random.nextBoolean() ? "topic" : "lastEventID").append('=').append(randomValue());
        }
        String[] paths = {PATH, PATH + "/", "/.well-known/", "/.well-known/mercure/../mercure", "/%2e%2e/etc", "/nope"};
        String path = random.nextInt(4) == 0 ? paths[random.nextInt(paths.length)] : PATH;
        return new Case("random query", RawHttp.request("GET", path + (q.length() > 0 ? "?" + q : ""),
                "Accept: " + (random.nextBoolean() ? "text/event-stream" : "*/*") + "\r\n", null));
    }

    /** Subscriptions sent with QUERY: random matcher bodies, broken encodings, other types, oversized. */
    private Case queryMethod() {
        String[] names = {"match", "match_urlpattern", "match_exact", "match_regex", "topic", "last_event_id", "x"};
        StringBuilder body = new StringBuilder();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : "&").append(names[random.nextInt(names.length)]).append('=').append(randomValue());
        }
        String[] types = {"application/x-www-form-urlencoded", "application/json", "text/plain", "garbage", ""};
        String type = random.nextInt(4) == 0 ? types[random.nextInt(types.length)] : types[0];
        byte[] bytes = random.nextInt(10) == 0 ? ascii("match=" + "q".repeat(5 * 1024 * 1024)) : ascii(body.toString());
        return new Case("QUERY", RawHttp.request("QUERY", PATH + (random.nextBoolean() ? "?match=" + randomValue() : ""),
                "Accept: text/event-stream\r\n" + (type.isEmpty() ? "" : "Content-Type: " + type + "\r\n"), bytes));
    }

    private Case lyingLength() {
        byte[] body = ascii("topic=t&data=" + "y".repeat(random.nextInt(100)));
        String[] lengths = {"-1", "abc", "99999999999999999999", String.valueOf(body.length / 2), "0x10", " 5"};
        String len = lengths[random.nextInt(lengths.length)];
        byte[] head = ascii("POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth()
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + len + "\r\n\r\n");
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return new Case("lying Content-Length", all);
    }
}
