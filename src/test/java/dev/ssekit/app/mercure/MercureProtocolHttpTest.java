package dev.ssekit.app.mercure;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ssekit.testsupport.MercureClient.encode;
import static dev.ssekit.testsupport.Tokens.accessClaims;
import static dev.ssekit.testsupport.Tokens.detail;
import static dev.ssekit.testsupport.Tokens.matcher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The current revision of Mercure, and the old one beside it, over HTTP on the embedded hub: every
 * check names the specification's rule it shows. "Not received" is shown by order: an END event
 * published after the update arrives, and the update did not arrive before it.
 */
class MercureProtocolHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String OTHER_ISSUER = "https://other-issuer.test";
    private static EmbeddedHub hub;
    private static String publisher;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = new HashMap<>(Tokens.hubWithIssuer());
        settings.put("ssekit.hub.jwt.publicKey", Tokens.pem(Tokens.RSA.getPublic()));
        settings.put("ssekit.hub.jwt.publicKey.issuer", OTHER_ISSUER);
        settings.put("ssekit.hub.jwt.algorithms", "HS256, RS256");
        hub = Hubs.start(settings);
        publisher = Tokens.accessToken(accessClaims(List.of(detail("publish", List.of(matcher("*", null))))).build(),
                "at+jwt");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    private static HttpResponse<String> post(String form, String token) throws Exception {
        return MercureClient.post(hub.uri(), form, token == null ? Map.of() : Tokens.bearer(token));
    }

    private static void publish(String data, boolean secret, String... topics) throws Exception {
        StringBuilder form = new StringBuilder("data=").append(encode(data));
        for (String t : topics) {
            form.append("&topic=").append(encode(t));
        }
        if (secret) {
            form.append("&private=on");
        }
        HttpResponse<String> r = post(form.toString(), publisher);
        assertEquals(200, r.statusCode(), r.body());
    }

    private static RawSseClient subscribe(String query, Map<String, String> headers) throws Exception {
        return MercureClient.subscribeRaw(hub.uri(), query, headers);
    }

    /** Reads data up to END (excluded). */
    private static List<String> readToEnd(RawSseClient c) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (String d = c.next(WAIT).data(); !d.equals("END"); d = c.next(WAIT).data()) {
            out.add(d);
        }
        return out;
    }

    private static String unique() {
        return UUID.randomUUID().toString();
    }

    @Test
    void subscribe_matchAndUrlPattern_receiveExactlyTheMatchingTopics() throws Exception {
        String u = unique();
        String exact = "urn:test:" + u;
        String books = "https://example.com/" + u + "/books/";
        try (RawSseClient c = subscribe("match=" + encode(exact) + "&match_urlpattern=" + encode(books + ":id")
                + "&match_exact=" + encode("raw-" + u), Map.of())) {
            publish("exact", false, exact);
            publish("pattern", false, books + "7");
            publish("two segments", false, books + "7/pages");
            publish("other", false, "https://example.com/" + u + "/authors/7");
            publish("explicit exact", false, "raw-" + u);
            publish("both topics once", false, exact, books + "8");
            publish("END", false, exact);
            assertEquals(List.of("exact", "pattern", "explicit exact", "both topics once"), readToEnd(c));
        }
    }

    @Test
    void subscribe_relativeUrlPattern_resolvesAgainstTheHubUrl() throws Exception {
        String u = unique();
        URI own = hub.uri().resolve("/" + u + "/items/");
        try (RawSseClient c = subscribe("match_urlpattern=" + encode("/" + u + "/items/:id") + "&match=end-" + u,
                Map.of())) {
            publish("relative", false, "/" + u + "/items/1");
            publish("absolute on the hub", false, own + "2");
            publish("elsewhere", false, "https://example.com/" + u + "/items/3");
            publish("END", false, "end-" + u);
            assertEquals(List.of("relative", "absolute on the hub"), readToEnd(c));
        }
    }

    @Test
    void subscribe_urlPatterns_matchTopicsAsTheUrlStandardParsesThem() throws Exception {
        String u = unique();
        try (RawSseClient c = subscribe("match_urlpattern=" + encode("https://bücher.example/" + u + "/:id")
                + "&match_urlpattern=" + encode("https://example.com/" + u + "/caf%C3%A9/:n")
                + "&match=end-" + u, Map.of())) {
            publish("punycode host", false, "https://xn--bcher-kva.example/" + u + "/1");
            publish("upper-case host", false, "https://BÜCHER.example/" + u + "/2");
            publish("backslashes", false, "https:\\\\example.com\\" + u + "\\café\\3");
            publish("default port", false, "https://example.com:443/" + u + "/café/4");
            publish("dot segments", false, "https://example.com/" + u + "/x/%2E%2E/café/5");
            publish("space in the path", false, "https://example.com/" + u + "/café/a b");
            publish("another port", false, "https://example.com:8443/" + u + "/café/6");
            publish("paths are case-sensitive", false, "https://example.com/" + u + "/CAFÉ/7");
            publish("not a URL", false, "https://exa mple.com/" + u + "/café/8");
            publish("END", false, "end-" + u);
            assertEquals(List.of("punycode host", "upper-case host", "backslashes", "default port", "dot segments",
                    "space in the path"), readToEnd(c));
        }
    }

    @Test
    void subscribe_queryWithRawBracesAndUtf8_isReadAsAFormQuery() throws Exception {
        String u = unique();
        // Sent as is, not percent-encoded, as curl -g or a hand-built EventSource URL sends them.
        try (RawSseClient c = subscribe("topic=https://example.com/" + u + "/books/{id}&match=caf\u00e9-" + u
                + "&match=end-" + u, Map.of())) {
            publish("template", false, "https://example.com/" + u + "/books/1");
            publish("utf-8", false, "caf\u00e9-" + u);
            publish("other", false, "https://example.com/" + u + "/authors/1");
            publish("END", false, "end-" + u);
            assertEquals(List.of("template", "utf-8"), readToEnd(c));
        }
    }

    @Test
    void subscribe_wildcardMatcher_receivesEveryPublicTopic() throws Exception {
        String u = unique();
        try (RawSseClient c = subscribe("match=*", Map.of())) {
            publish("any " + u, false, "x-" + u);
            publish("private " + u, true, "x-" + u);
            publish("END", false, "y-" + u);
            assertTrue(readToEnd(c).contains("any " + u));
        }
    }

    @Test
    void subscribe_badMatchers_get400() throws Exception {
        for (String query : List.of("matchx=a", "Match=a", "match_regex=a", "MATCH_EXACT=a", "match_urlpattern=" + encode("https://e/(a"),
                "match=" + encode("a\u0007b"), "match=" + encode("a\u200Bb"), "match=", "other=1",
                "match=" + encode("ssekit:private:a"))) {
            HttpResponse<String> r = MercureClient.get(hub.uri().resolve(MercureClient.PATH + "?" + query),
                    "text/event-stream");
            assertEquals(400, r.statusCode(), query + ": " + r.body());
            assertEquals("text/plain;charset=utf-8", r.headers().firstValue("Content-Type").orElse("")
                    .replace(" ", "").toLowerCase(), "a refusal says its text's charset: " + query);
        }
    }

    @Test
    void subscribe_legacyTopicTemplateAndWildcard_receiveMatchingUpdates() throws Exception {
        String u = unique();
        String base = "https://example.com/" + u + "/t/";
        try (RawSseClient template = subscribe("topic=" + encode(base + "{id}"), Map.of());
             RawSseClient star = subscribe("topic=*", Map.of())) {
            publish("templated", false, base + "1");
            publish("not templated", false, base + "1/2");
            publish("END", false, base + "end");
            assertEquals(List.of("templated"), readToEnd(template));
            List<String> all = readToEnd(star);
            assertTrue(all.containsAll(List.of("templated", "not templated")), all.toString());
        }
    }

    @Test
    void subscribe_lastEventIdParameters_replayAfterTheId() throws Exception {
        String topic = "replay-" + unique();
        String first = post("topic=" + encode(topic) + "&data=one", publisher).body();
        publish("two", false, topic);
        publish("END", false, topic);
        for (String param : List.of("last_event_id", "lastEventID")) {
            try (RawSseClient c = subscribe("match=" + encode(topic) + "&" + param + "=" + encode(first), Map.of())) {
                assertEquals(first, c.header("Mercure-Last-Event-ID"));
                assertEquals(List.of("two"), readToEnd(c), param);
            }
        }
        // The header wins over the parameter: a reconnecting EventSource keeps its first URL.
        try (RawSseClient c = subscribe("match=" + encode(topic) + "&last_event_id=earliest",
                Map.of("Last-Event-ID", first))) {
            assertEquals(List.of("two"), readToEnd(c));
        }
        // An empty cursor names no event: no replay, and the stream says where it starts (the newest event).
        for (String param : List.of("last_event_id", "lastEventID")) {
            String newest = post("topic=" + encode(topic) + "&data=newest", publisher).body();
            try (RawSseClient c = subscribe("match=" + encode(topic) + "&" + param + "=", Map.of())) {
                assertEquals(newest, c.header("Mercure-Last-Event-ID"), param);
                publish("END", false, topic);
                assertEquals(List.of(), readToEnd(c), param);
            }
        }
        try (RawSseClient c = subscribe("match=" + encode(topic), Map.of())) {
            assertEquals(null, c.header("Mercure-Last-Event-ID"), "no cursor sent, none answered");
        }
    }

    @Test
    void subscribe_patternsTemplatesAndWildcard_replayWhatTheyMissed_privateOnlyWithAGrant() throws Exception {
        String u = unique();
        String books = "https://example.com/" + u + "/books/";
        String first = post("topic=" + encode(books + "1") + "&data=one", publisher).body();
        publish("two", false, books + "2");
        publish("author", false, "https://example.com/" + u + "/authors/1");
        publish("secret", true, books + "3");
        publish("END", false, books + "end");
        String current = Tokens.accessToken(accessClaims(List.of(detail("subscribe", List.of(
                matcher(books + ":id", "urlpattern"))))).build(), "at+jwt");
        String old = Tokens.subscriber(books + "{id}");
        String pattern = "match_urlpattern=" + encode(books + ":id");
        String template = "topic=" + encode(books + "{id}");
        Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        Map<String, Map<String, String>> headers = new HashMap<>();
        expected.put(pattern + "&last_event_id=" + encode(first), List.of("two"));
        expected.put(pattern + "&last_event_id=" + encode(first) + "&granted", List.of("two", "secret"));
        headers.put(pattern + "&last_event_id=" + encode(first) + "&granted", Tokens.bearer(current));
        expected.put(template + "&lastEventID=" + encode(first), List.of("two"));
        expected.put(template + "&lastEventID=" + encode(first) + "&granted", List.of("two", "secret"));
        headers.put(template + "&lastEventID=" + encode(first) + "&granted", Tokens.bearer(old));
        // Other tests' events come before first: the wildcard's replay starts after it.
        expected.put("match=*&last_event_id=" + encode(first), List.of("two", "author"));
        expected.put("topic=*&lastEventID=" + encode(first), List.of("two", "author"));
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            try (RawSseClient c = subscribe(e.getKey(), headers.getOrDefault(e.getKey(), Map.of()))) {
                assertEquals(first, c.header("Mercure-Last-Event-ID"), e.getKey());
                assertEquals(e.getValue(), readToEnd(c), e.getKey());
                // Then live, with nothing replayed twice.
                publish("live", false, books + "4");
                assertEquals("live", c.next(WAIT).data(), e.getKey());
            }
        }
        // The header wins, and an id the hub does not know replays everything retained that matches.
        try (RawSseClient c = subscribe(pattern + "&last_event_id=" + encode(first),
                Map.of("Last-Event-ID", "unknown-" + u))) {
            assertEquals("earliest", c.header("Mercure-Last-Event-ID"));
            assertEquals(List.of("one", "two"), readToEnd(c));
        }
    }

    /** Sends a QUERY with a form body, raw, and reads its stream. */
    private static RawSseClient query(String queryComponent, String body, Map<String, String> headers)
            throws Exception {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Content-Type", "application/x-www-form-urlencoded");
        RawSseClient c = RawSseClient.open(hub.uri(), "QUERY", "/" + MercureClient.PATH
                + (queryComponent.isEmpty() ? "" : "?" + queryComponent), all, body);
        assertEquals(200, c.awaitStatus(WAIT), c.rawText());
        return c;
    }

    @Test
    void subscribe_queryMethodWithFormBody_takesTheUnionWithTheQueryComponent() throws Exception {
        String u = unique();
        String books = "https://example.com/" + u + "/books/";
        String first = post("topic=" + encode(books + "1") + "&data=one", publisher).body();
        publish("two", false, books + "2");
        publish("tag", false, "tag-" + u);
        publish("END", false, "end-" + u);
        // Matchers in both components; last_event_id in the body (only there), then in both (query wins).
        try (RawSseClient c = query("match=" + encode("end-" + u), "match_urlpattern=" + encode(books + ":id")
                + "&match=" + encode("tag-" + u) + "&last_event_id=" + encode(first), Map.of())) {
            assertEquals(first, c.header("Mercure-Last-Event-ID"));
            assertEquals(List.of("two", "tag"), readToEnd(c));
            publish("live", false, books + "3");
            assertEquals("live", c.next(WAIT).data());
        }
        try (RawSseClient c = query("match=" + encode("end-" + u) + "&last_event_id=earliest",
                "match_urlpattern=" + encode(books + ":id") + "&last_event_id=" + encode(first), Map.of())) {
            assertEquals("earliest", c.header("Mercure-Last-Event-ID"), "the query component's cursor wins");
            assertEquals(List.of("one", "two"), readToEnd(c));
        }
    }

    @Test
    void subscribe_queryMethodBadBodies_get4xx() throws Exception {
        for (Map.Entry<String, Integer> e : Map.of("match_regex=a", 400, "match=" + encode("a\u0007b"), 400,
                "match=%zz", 400, "other=1", 400).entrySet()) {
            HttpResponse<String> r = PlainQuery.send(hub.uri().resolve(MercureClient.PATH), e.getKey(),
                    "application/x-www-form-urlencoded");
            assertEquals((int) e.getValue(), r.statusCode(), e.getKey() + ": " + r.body());
        }
        HttpResponse<String> json = PlainQuery.send(hub.uri().resolve(MercureClient.PATH), "{\"match\":\"a\"}",
                "application/json");
        assertEquals(415, json.statusCode(), json.body());
        HttpResponse<String> big = PlainQuery.send(hub.uri().resolve(MercureClient.PATH),
                "match=" + "a".repeat(5 * 1024 * 1024), "application/x-www-form-urlencoded");
        assertEquals(413, big.statusCode(), big.body());
    }

    /** A QUERY that expects an answer other than a stream. */
    private static final class PlainQuery {
        static HttpResponse<String> send(URI uri, String body, String type) throws Exception {
            return dev.ssekit.testsupport.PlainHttp.send(java.net.http.HttpRequest.newBuilder(uri)
                    .header("Content-Type", type).header("Accept", "text/event-stream")
                    .method("QUERY", java.net.http.HttpRequest.BodyPublishers.ofString(body)).build());
        }
    }

    @Test
    void publish_forbiddenValues_get400() throws Exception {
        String narrow = Tokens.accessToken(accessClaims(List.of(detail("publish", List.of(matcher("elsewhere", null)))))
                .build(), "at+jwt");
        for (String form : List.of("topic=*", "topic=" + encode("/.well-known/mercure/subscriptions/x"),
                "topic=" + encode("https://evil.example/.well-known/%6Dercure/x"),
                "topic=" + encode("/.well-known/mercure/../mercure/x"), "topic=" + encode("/.well-known/mercure"),
                // As the URL Standard parses them: backslashes are slashes in a special scheme, %2e is a dot.
                "topic=" + encode("https://example.com\\.well-known\\mercure\\x"),
                "topic=" + encode("HTTPS:\\\\example.com\\.well-known/%2e/mercure"),
                "topic=t&type=mercure", "topic=t&id=" + encode("#1"), "topic=t&id=earliest",
                "topic=" + encode("a\u0085b"), "topic=" + encode("a\u202Eb"), "topic=t&type=" + encode("a\u007Fb"),
                "topic=t&id=" + encode("a\u2066b"), "topic=t&retry=" + encode("+1"), "topic=t&retry=1.5")) {
            HttpResponse<String> r = post(form, publisher);
            assertEquals(400, r.statusCode(), form + ": " + r.body());
            assertEquals("text/plain;charset=utf-8", r.headers().firstValue("Content-Type").orElse("")
                    .replace(" ", "").toLowerCase(), "a refusal says its text's charset: " + form);
            // What no token may publish is refused as such, before the token's grant is looked at.
            HttpResponse<String> ungranted = post(form, narrow);
            assertEquals(400, ungranted.statusCode(), form + ": " + ungranted.body());
        }
        // Not the reserved namespace: another path that merely starts alike.
        assertEquals(200, post("topic=" + encode("/.well-known/mercurey"), publisher).statusCode());
    }

    @Test
    void publish_answersTheIdAsUtf8Text_generatesIris_andRefusesAReusedId() throws Exception {
        HttpResponse<String> r = post("topic=t-" + unique() + "&data=x", publisher);
        assertEquals(200, r.statusCode());
        assertEquals("text/plain;charset=utf-8", r.headers().firstValue("Content-Type").orElse("").replace(" ", "")
                .toLowerCase());
        assertTrue(r.body().matches("urn:uuid:[0-9a-f-]{36}"), r.body());
        String own = "id-" + unique();
        assertEquals(own, post("topic=t&id=" + own, publisher).body());
        // A reused id is refused, naming it: a retry after a lost answer must not store the update twice.
        HttpResponse<String> again = post("topic=t&id=" + own, publisher);
        assertEquals(409, again.statusCode());
        assertEquals("id: \"" + own + "\" is already in history; the update was not stored again (if this "
                + "retries a publish that failed, that one was stored)\n", again.body());
    }

    @Test
    void accessTokens_areCheckedForTypAudIssExpAndIssuerBoundKeys() throws Exception {
        List<Map<String, Object>> all = List.of(detail("publish", List.of(matcher("*", null))));
        Map<String, String> tokens = new java.util.LinkedHashMap<>();
        tokens.put("no exp", Tokens.accessToken(accessClaims(all).expirationTime(null).build(), "at+jwt"));
        tokens.put("wrong aud", Tokens.accessToken(accessClaims(all).audience("https://other-hub.test").build(), "at+jwt"));
        tokens.put("no iss", Tokens.accessToken(accessClaims(all).issuer(null).build(), "at+jwt"));
        tokens.put("unknown iss", Tokens.accessToken(accessClaims(all).issuer("https://stranger.test").build(), "at+jwt"));
        tokens.put("secret signed as the key's issuer",
                Tokens.accessToken(accessClaims(all).issuer(OTHER_ISSUER).build(), "at+jwt"));
        tokens.put("key signed as the secret's issuer", Tokens.rsAccessToken(accessClaims(all).build()));
        tokens.put("expired", Tokens.accessToken(accessClaims(all)
                .expirationTime(new java.util.Date(System.currentTimeMillis() - 3_600_000)).build(), "at+jwt"));
        tokens.put("unknown match_type", Tokens.accessToken(accessClaims(List.of(
                detail("publish", List.of(matcher("a", "regex"))))).build(), "at+jwt"));
        tokens.put("authorization_details with typ JWT", Tokens.accessToken(accessClaims(all).build(), "JWT"));
        tokens.put("authorization_details with no typ", Tokens.accessToken(accessClaims(all).build(), null));
        tokens.put("authorization_details with typ at+jwt+x", Tokens.accessToken(accessClaims(all).build(), "at+jwt+x"));
        tokens.put("unknown match_type beside the wildcard", Tokens.accessToken(accessClaims(List.of(
                detail("publish", List.of(matcher("*", "regex"))))).build(), "at+jwt"));
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i <= 100; i++) {
            tooMany.add(detail("publish", List.of(matcher("t" + i, null))));
        }
        tokens.put("101 authorization details (over 8 KiB)", Tokens.accessToken(accessClaims(tooMany).build(), "at+jwt"));
        tokens.put("empty match", Tokens.accessToken(accessClaims(List.of(
                detail("publish", List.of(matcher("*", null), matcher("", null))))).build(), "at+jwt"));
        tokens.put("control character in a match", Tokens.accessToken(accessClaims(List.of(
                detail("publish", List.of(matcher("*", null), matcher("a\u0007b", null))))).build(), "at+jwt"));
        tokens.put("detail without topics", Tokens.accessToken(accessClaims(List.of(Map.of(
                "type", "https://mercure.rocks/authorization-detail", "actions", List.of("publish")))).build(), "at+jwt"));
        for (Map.Entry<String, String> t : tokens.entrySet()) {
            HttpResponse<String> r = post("topic=t&data=x", t.getValue());
            assertEquals(401, r.statusCode(), t.getKey() + ": " + r.body());
            String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
            assertTrue(challenge.contains("error=\"invalid_token\"") && challenge.contains("resource_metadata="),
                    t.getKey() + ": " + challenge);
        }
        assertEquals(200, post("topic=t&data=x", Tokens.accessToken(accessClaims(all).build(), "application/AT+JWT"))
                .statusCode(), "typ compared case-insensitively, application/ prefix allowed");
        assertEquals(200, post("topic=t&data=x", Tokens.rsAccessToken(accessClaims(all).issuer(OTHER_ISSUER).build()))
                .statusCode(), "the RSA key verifies its own issuer's tokens");
        assertEquals(200, post("topic=t&data=x", Tokens.accessToken(accessClaims(List.of(Map.of(
                "type", "https://mercure.rocks/authorization-detail", "actions", List.of("publish", "future-action"),
                "topics", List.of(matcher("t", null))))).build(), "at+jwt")).statusCode(), "unknown actions ignored");
        HttpResponse<String> narrow = post("topic=t&topic=u&data=x", Tokens.accessToken(accessClaims(List.of(
                detail("publish", List.of(matcher("t", null))))).build(), "at+jwt"));
        assertEquals(403, narrow.statusCode(), "every topic must be granted");
        assertTrue(narrow.headers().firstValue("WWW-Authenticate").orElse("").contains("insufficient_scope"));
        HttpResponse<String> none = post("topic=t&data=x", null);
        assertEquals(401, none.statusCode());
        String challenge = none.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(challenge.contains("resource_metadata=") && !challenge.contains("error="), challenge);
    }

    @Test
    void bothRevisionsOn_oldRevisionTokensStillPublish() throws Exception {
        assertEquals(200, post("topic=t&data=x", Tokens.publisher("*")).statusCode());
    }

    @Test
    void privateUpdate_audienceIsTheUnionOverItsTopics() throws Exception {
        String u = unique();
        String book = "https://example.com/" + u + "/books/1";
        String mine = "https://example.com/" + u + "/users/42/books/1";
        String end = "end-" + u;
        String grantsAlternate = Tokens.accessToken(accessClaims(List.of(detail("subscribe", List.of(
                matcher("https://example.com/" + u + "/users/42/*", "urlpattern"))))).build(), "at+jwt");
        String grantsOther = Tokens.accessToken(accessClaims(List.of(detail("subscribe", List.of(
                matcher("https://example.com/" + u + "/users/7/*", "urlpattern"))))).build(), "at+jwt");
        String query = "match_urlpattern=" + encode("https://example.com/" + u + "/books/:id") + "&match=" + end;
        try (RawSseClient alternate = subscribe(query, Tokens.bearer(grantsAlternate));
             RawSseClient exactAlternate = subscribe("match=" + encode(book) + "&match=" + end,
                     Tokens.bearer(grantsAlternate));
             RawSseClient other = subscribe(query, Tokens.bearer(grantsOther));
             RawSseClient cookie = subscribe(query, Map.of("Cookie", "__Secure-mercure_access_token=" + grantsAlternate));
             RawSseClient anonymous = subscribe(query, Map.of())) {
            publish("secret", true, book, mine);
            publish("public", false, book);
            publish("END", false, end);
            assertEquals(List.of("secret", "public"), readToEnd(alternate));
            assertEquals(List.of("secret", "public"), readToEnd(exactAlternate));
            assertEquals(List.of("secret", "public"), readToEnd(cookie));
            assertEquals(List.of("public"), readToEnd(other));
            assertEquals(List.of("public"), readToEnd(anonymous));
        }
    }

    @Test
    void discovery_linkHeaderAndProtectedResourceMetadata() throws Exception {
        HttpResponse<String> page = MercureClient.get(hub.uri(), "text/html");
        assertEquals("<" + hub.uri().resolve(MercureClient.PATH) + ">; rel=\"mercure\"",
                page.headers().firstValue("Link").orElse(""));
        HttpResponse<String> meta = MercureClient.get(
                hub.uri().resolve(".well-known/oauth-protected-resource/.well-known/mercure"), "application/json");
        assertEquals(200, meta.statusCode());
        assertTrue(meta.body().contains("\"resource\":\"" + Tokens.RESOURCE + "\""), meta.body());
        assertTrue(meta.body().contains("https://mercure.rocks/authorization-detail"), meta.body());
        assertTrue(meta.body().contains("\"mercure_cookie\":\"__Secure-mercure_access_token\""), meta.body());
    }
}
