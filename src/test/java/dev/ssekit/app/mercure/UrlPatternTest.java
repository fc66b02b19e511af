package dev.ssekit.app.mercure;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * URL patterns against topics. The expectations of the first cases were taken from Chromium's own
 * {@code URLPattern} (its {@code test()}), on the same inputs.
 */
class UrlPatternTest {
    private static final URI HUB = URI.create("http://h:1/.well-known/mercure");

    private static boolean m(String pattern, String topic) {
        return UrlPattern.compile(pattern, HUB).matches(topic, HUB);
    }

    @Test
    void matches_agreeWithChromiumsUrlPattern() {
        assertTrue(m("https://example.net/foo/:random", "https://example.net/foo/abc?x=1"));
        assertTrue(m("https://example.net/foo/:random", "https://example.net/foo/abc#h"));
        assertEquals(false, m("https://example.net/foo/:random", "https://example.net:8443/foo/abc"));
        assertTrue(m("https://example.net/foo/:random", "https://u@example.net/foo/abc"));
        assertTrue(m("/books/:id", "http://h:1/books/3"));
        assertTrue(m("/books/:id", "http://h:1/books/3?q"));
        assertTrue(m("https://example.net/foo/:id?", "https://example.net/foo"));
        assertTrue(m("https://example.net/foo/*", "https://example.net/foo/a/b"));
        assertTrue(m("https://example.net/foo/:id(\\d+)", "https://example.net/foo/12"));
        assertTrue(m("https://example.net/foo{/:id}?", "https://example.net/foo"));
        assertTrue(m("https://example.net/foo?x=:y", "https://example.net/foo?x=1"));
        assertTrue(m("books/:id", "http://h:1/.well-known/books/1"));
    }

    @Test
    void matches_refusesWhatThePatternExcludes() {
        assertEquals(false, m("https://example.net/foo/:id", "https://example.net/foo/a/b"));
        assertEquals(false, m("https://example.net/foo/:id(\\d+)", "https://example.net/foo/ab"));
        assertEquals(false, m("https://example.net/foo/:id", "http://example.net/foo/a"));
        assertEquals(false, m("https://example.net/foo/:id", "https://example.org/foo/a"));
        assertEquals(false, m("/books/:id", "https://other/books/3"));
        assertEquals(false, m("https://example.net/Foo/:id", "https://example.net/foo/a"), "paths are case-sensitive");
        assertTrue(m("https://EXAMPLE.net/foo/:id", "https://example.NET/foo/a"), "hosts are not");
    }

    @Test
    void matches_topicThatIsNotAUrl_doesNotMatch() {
        assertEquals(false, m("https://example.net/:id", "not a url with spaces"));
        assertEquals(false, m("https://example.net/:id", "urn:isbn:123"));
    }

    @Test
    void compile_malformedPattern_isRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> UrlPattern.compile("https://e/(a", HUB));
        assertThrows(IllegalArgumentException.class, () -> UrlPattern.compile("https://e/{a", HUB));
        assertThrows(IllegalArgumentException.class, () -> UrlPattern.compile("https://e/a}", HUB));
        assertThrows(IllegalArgumentException.class, () -> UrlPattern.compile("https://e/:id([a-)", HUB));
        assertThrows(IllegalArgumentException.class, () -> UrlPattern.compile("", HUB));
    }

    @Test
    void matches_pathologicalRegexp_runsInLinearTime() {
        // (a+)+$ backtracks exponentially in java.util.regex on "aaaa…b"; RE2/J answers at once. No
        // timing is asserted: the test finishes (it would not, on a backtracking engine).
        UrlPattern p = UrlPattern.compile("https://e/:x((a+)+$)", HUB);
        assertEquals(false, p.matches("https://e/" + "a".repeat(5000) + "b", HUB));
    }
}
