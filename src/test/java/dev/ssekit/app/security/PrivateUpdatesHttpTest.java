package dev.ssekit.app.security;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testkit.StreamEnd;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ssekit.testsupport.MercureClient.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A private update reaches only subscribers whose {@code mercure.subscribe} claim matches one of its
 * topics, live and by replay, in history order with the public ones; nobody else ever gets it.
 */
class PrivateUpdatesHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static EmbeddedHub hub;

    @BeforeAll
    static void start() throws Exception {
        hub = Hubs.start(Tokens.hubWithSecret());
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static void publish(String data, boolean secret, String... topics) throws Exception {
        StringBuilder form = new StringBuilder("data=").append(encode(data));
        for (String t : topics) {
            form.append("&topic=").append(encode(t));
        }
        if (secret) {
            form.append("&private=on");
        }
        HttpResponse<String> r = MercureClient.post(hub.uri(), form.toString(), Tokens.bearer(Tokens.publisher("*")));
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Reads events up to the one whose data is END. */
    private static List<String> readToEnd(SseRecorder c) {
        List<String> out = new ArrayList<>();
        String data;
        do {
            data = c.takeEvent().data();
            out.add(data);
        } while (!data.equals("END"));
        return out;
    }

    /** Reads events up to the one whose data is END, keeping the bytes. */
    private static void readToEnd(RawSseClient c) throws InterruptedException {
        String data;
        do {
            data = c.next(WAIT).data();
        } while (!data.equals("END"));
    }

    @Test
    void privateUpdate_reachesOnlyAuthorizedSubscribers_liveAndByReplay() throws Exception {
        String base = "https://example.com/" + UUID.randomUUID() + "/books/";
        String t1 = base + "1";
        String t2 = base + "2";
        String query = "topic=" + encode(t1) + "&topic=" + encode(t2);
        Map<String, Map<String, String>> who = new LinkedHashMap<>();
        who.put("anonymous", Map.of());
        who.put("other claim", Tokens.bearer(Tokens.subscriber("https://example.com/users/{id}", base + "9")));
        who.put("template", Tokens.bearer(Tokens.subscriber(base + "{id}")));
        who.put("t1 only", Tokens.bearer(Tokens.subscriber(t1)));
        who.put("cookie, all", Map.of("Cookie", "mercureAuthorization=" + Tokens.subscriber("*")));
        Map<String, List<String>> expected = Map.of(
                "anonymous", List.of("pub1", "pub2", "END"),
                "other claim", List.of("pub1", "pub2", "END"),
                "template", List.of("pub1", "priv1", "pub2", "priv2", "privBoth", "END"),
                "t1 only", List.of("pub1", "priv1", "pub2", "privBoth", "END"),
                "cookie, all", List.of("pub1", "priv1", "pub2", "priv2", "privBoth", "END"));

        Map<String, SseRecorder> live = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Map<String, String>> w : who.entrySet()) {
                live.put(w.getKey(), MercureClient.subscribe(hub.uri(), query, w.getValue()));
            }
            publish("pub1", false, t1);
            publish("priv1", true, t1);
            publish("pub2", false, t2);
            publish("priv2", true, t2);
            publish("privBoth", true, t1, t2);
            publish("END", false, t1);
            for (Map.Entry<String, SseRecorder> c : live.entrySet()) {
                // Events come in history order: once END is here, nothing before it can still come.
                assertEquals(expected.get(c.getKey()), readToEnd(c.getValue()), "live, " + c.getKey());
                c.getValue().assertExhausted(); // nothing after END
            }
        } finally {
            live.values().forEach(SseRecorder::close);
        }
        for (Map.Entry<String, Map<String, String>> w : who.entrySet()) {
            Map<String, String> headers = new LinkedHashMap<>(w.getValue());
            headers.put("Last-Event-ID", "earliest");
            try (SseRecorder c = MercureClient.subscribe(hub.uri(), query, headers)) {
                assertEquals(expected.get(w.getKey()), readToEnd(c), "replay, " + w.getKey());
                c.assertExhausted(); // nothing after END on replay
            }
        }
        // The raw bytes an unauthorized subscriber got hold no trace of the private data.
        Map<String, String> headers = new LinkedHashMap<>(who.get("other claim"));
        headers.put("Last-Event-ID", "earliest");
        try (RawSseClient c = MercureClient.subscribeRaw(hub.uri(), query, headers)) {
            readToEnd(c);
            assertEquals(-1, c.rawText().indexOf("priv"), c.rawText());
        }
    }

    @Test
    void privateUpdate_replayAfterAnId_keepsTheRule() throws Exception {
        String topic = "https://example.com/" + UUID.randomUUID();
        String query = "topic=" + encode(topic);
        publish("a", false, topic);
        String mark;
        try (SseRecorder c = MercureClient.subscribe(hub.uri(), query, Map.of("Last-Event-ID", "earliest"))) {
            mark = c.takeEvent().id();
        }
        publish("secret", true, topic);
        publish("b", false, topic);
        publish("END", false, topic);
        try (SseRecorder anon = MercureClient.subscribe(hub.uri(), query, Map.of("Last-Event-ID", mark))) {
            assertEquals(List.of("b", "END"), readToEnd(anon));
        }
        Map<String, String> authorized = new LinkedHashMap<>(Tokens.bearer(Tokens.subscriber(topic)));
        authorized.put("Last-Event-ID", mark);
        try (SseRecorder auth = MercureClient.subscribe(hub.uri(), query, authorized)) {
            assertEquals(List.of("secret", "b", "END"), readToEnd(auth));
            assertEquals(mark, auth.header("Mercure-Last-Event-ID"));
        }
    }

    @Test
    void subscriptionWithAToken_endsWhenTheTokenExpires() throws Exception {
        String topic = "https://example.com/" + UUID.randomUUID();
        String query = "topic=" + encode(topic);
        // exp is in whole seconds: this token expires within ten, time enough for a loaded machine
        // to subscribe and publish first (with three, a run at load 24 saw the stream end before).
        String shortLived = Tokens.hs256(Tokens.SECRET, Tokens.claims(null, List.of(topic))
                .expirationTime(java.util.Date.from(java.time.Instant.now().plusSeconds(10))).build());
        try (SseRecorder anon = MercureClient.subscribe(hub.uri(), query, Map.of());
             SseRecorder auth = MercureClient.subscribe(hub.uri(), query, Tokens.bearer(shortLived))) {
            publish("secret", true, topic);
            assertEquals("secret", auth.takeEvent().data());
            // Its private rights end with its token: the hub ends the stream cleanly, the client
            // reconnects with a new token. A subscriber without a token is not affected.
            auth.assertEnded(StreamEnd.Reason.SERVER_CLOSED); // the last chunk, not a reset
            publish("after", false, topic);
            assertEquals("after", anon.takeEvent().data());
        }
    }

    @Test
    void privateFieldWithoutValue_stillMakesTheUpdatePrivate() throws Exception {
        String topic = "https://example.com/" + UUID.randomUUID();
        String query = "topic=" + encode(topic);
        try (SseRecorder anon = MercureClient.subscribe(hub.uri(), query, Map.of());
             SseRecorder auth = MercureClient.subscribe(hub.uri(), query, Tokens.bearer(Tokens.subscriber(topic)))) {
            // As in Mercure, the field's presence decides: "private=" and a bare "private" are private.
            for (String form : List.of("private=&data=p1", "private&data=p2", "private=&private=on&data=p3")) {
                HttpResponse<String> r = MercureClient.post(hub.uri(), form + "&topic=" + encode(topic),
                        Tokens.bearer(Tokens.publisher("*")));
                assertEquals(200, r.statusCode(), r.body());
            }
            publish("END", false, topic);
            assertEquals(List.of("END"), readToEnd(anon));
            assertEquals(List.of("p1", "p2", "p3", "END"), readToEnd(auth));
        }
    }

    @Test
    void tokenThatExpiresInCenturies_subscribesNormally() throws Exception {
        String topic = "https://example.com/" + UUID.randomUUID();
        String forever = Tokens.hs256(Tokens.SECRET, Tokens.claims(null, List.of(topic))
                .expirationTime(java.util.Date.from(java.time.Instant.parse("9999-12-31T23:59:59Z"))).build());
        try (SseRecorder auth = MercureClient.subscribe(hub.uri(), "topic=" + encode(topic), Tokens.bearer(forever))) {
            publish("secret", true, topic);
            assertEquals("secret", auth.takeEvent().data());
        }
    }
}
