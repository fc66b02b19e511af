package dev.ssekit.app.url;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * URL patterns against URLs, case by case from the URL Pattern Standard. The cases of the first
 * tests (carried over from the hub's former matcher) were checked against Chromium's own
 * {@code URLPattern}.
 */
class UrlPatternTest {
    private static final URI HUB = URI.create("http://h:1/.well-known/mercure");

    /** The hub's question: does the topic match the pattern, both relative to the hub's URL? */
    private static boolean m(String pattern, String topic) {
        return UrlPattern.cached(pattern, HUB).matches(topic, HUB);
    }

    private static boolean test(String pattern, String input) {
        return UrlPattern.compile(pattern, null).test(input, null);
    }

    private static Map<String, String> groups(String pattern, String input, String component) {
        return UrlPattern.compile(pattern, null).exec(input, null).orElseThrow().get(component);
    }

    private static String refusal(String pattern) {
        return assertThrows(IllegalArgumentException.class, () -> UrlPattern.compile(pattern, null)).getMessage();
    }

    // ---------------------------------------------------------------- tokenizer, parser, generators

    @Test
    void tokenize_lenientRecordsWhatStrictRefuses() {
        assertEquals(List.of(PatternParser.TokenType.CHAR, PatternParser.TokenType.INVALID_CHAR,
                PatternParser.TokenType.CHAR, PatternParser.TokenType.END),
                PatternParser.tokenize("a:-", true).stream().map(PatternParser.Token::type).toList());
        assertEquals("':' at 1 starts no group name",
                assertThrows(IllegalArgumentException.class, () -> PatternParser.tokenize("a:-", false)).getMessage());
        assertEquals(List.of("foo", "\\d+", "?"), PatternParser.tokenize(":foo(\\d+)?", false).stream()
                .filter(t -> t.type() != PatternParser.TokenType.END).map(PatternParser.Token::value).toList());
    }

    @Test
    void regularExpression_followsTheStandardsForms() {
        List<String> names = new ArrayList<>();
        String regexp = PatternParser.regularExpression(PatternParser.parse("/books/:id?/*",
                PatternParser.Options.PATHNAME, v -> v), PatternParser.Options.PATHNAME, names);
        assertEquals("^\\/books(?:\\/([^\\/]+?))?(?:\\/(.*))$", regexp);
        assertEquals(List.of("id", "0"), names);
        assertEquals("^(?:\\/((?:[^\\/]+?)(?:\\/(?:[^\\/]+?))*))?$", PatternParser.regularExpression(
                PatternParser.parse("/:p*", PatternParser.Options.PATHNAME, v -> v), PatternParser.Options.PATHNAME,
                new ArrayList<>()));
    }

    @Test
    void patternString_isNormalized() {
        assertEquals("/:id(\\d+)/*", PatternParser.patternString(PatternParser.parse("{/:id(\\d+)}/(.*)",
                PatternParser.Options.PATHNAME, v -> v), PatternParser.Options.PATHNAME));
        assertEquals("{:a}b", PatternParser.patternString(PatternParser.parse(":a{b}",
                PatternParser.Options.DEFAULT, v -> v), PatternParser.Options.DEFAULT));
    }

    @Test
    void constructorStringParser_splitsOnTokensNotCharacters() {
        assertEquals(Map.of("protocol", "https", "hostname", ":sub.example.com", "port", "8080", "pathname", "/:p*"),
                ConstructorStringParser.parse("https://:sub.example.com:8080/:p*", p -> true));
        assertEquals(Map.of("pathname", "/a(b|c)?", "search", "q"),
                ConstructorStringParser.parse("/a(b|c)??q", p -> true), "the first '?' modifies the group");
    }

    // ---------------------------------------------------------------- the hub's cases

    @Test
    void matches_agreeWithChromiumsUrlPattern() {
        assertTrue(m("https://example.net/foo/:random", "https://example.net/foo/abc?x=1"));
        assertTrue(m("https://example.net/foo/:random", "https://example.net/foo/abc#h"));
        assertFalse(m("https://example.net/foo/:random", "https://example.net:8443/foo/abc"));
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
        assertFalse(m("https://example.net/foo/:id", "https://example.net/foo/a/b"));
        assertFalse(m("https://example.net/foo/:id(\\d+)", "https://example.net/foo/ab"));
        assertFalse(m("https://example.net/foo/:id", "http://example.net/foo/a"));
        assertFalse(m("https://example.net/foo/:id", "https://example.org/foo/a"));
        assertFalse(m("/books/:id", "https://other/books/3"));
    }

    @Test
    void matches_topicThatIsNotAUrl_doesNotMatch() {
        assertFalse(m("https://example.net/:id", "https://exa mple.net/1"), "a space in a host");
        assertFalse(m("https://example.net/:id", "http://[::1/x"), "an unclosed IPv6 address");
        assertFalse(m("https://example.net/:id", "https://example.net:99999/1"), "a port out of range");
        assertFalse(m("*://*/*", "urn:isbn:123"), "no host where the pattern's hostname expects one");
        assertFalse(UrlPattern.compile("https://example.net/:id", null).test("/1", null), "relative, no base");
    }

    @Test
    void matches_relativeTopic_isResolvedAgainstTheHub() {
        assertTrue(m("/books/:id", "/books/3"));
        assertTrue(m("http://h:1/.well-known/books/:id", "books/3"));
    }

    @Test
    void matches_sameTopicTwice_givesTheSameAnswer() {
        UrlPattern p = UrlPattern.cached("/books/:id", HUB);
        assertTrue(p.matches("/books/3", HUB));
        assertTrue(p.matches("/books/3", HUB), "the remembered answer");
        assertFalse(p.matches("/books/3/4", HUB));
        assertFalse(UrlPattern.cached("/authors/:id", HUB).matches("/books/3/4", HUB), "the topic parsed once");
    }

    @Test
    void cached_samePatternAndHub_givesTheSameInstance() {
        assertSame(UrlPattern.cached("/cached/:id", HUB), UrlPattern.cached("/cached/:id", HUB));
        assertEquals("/cached/:id", UrlPattern.cached("/cached/:id", HUB).toString());
    }

    @Test
    void cached_emptyOrTooLong_isRefused() {
        assertEquals("the URL pattern is empty",
                assertThrows(IllegalArgumentException.class, () -> UrlPattern.cached("", HUB)).getMessage());
        String tooLong = "/" + "a".repeat(UrlPattern.MAX_LENGTH);
        assertEquals("the URL pattern is longer than 2048 characters",
                assertThrows(IllegalArgumentException.class, () -> UrlPattern.cached(tooLong, HUB)).getMessage());
    }

    // ---------------------------------------------------------------- pattern syntax

    @Test
    void namedGroup_matchesOneSegment() {
        assertTrue(test("https://e.com/books/:id", "https://e.com/books/12"));
        assertFalse(test("https://e.com/books/:id", "https://e.com/books/12/x"));
        assertFalse(test("https://e.com/books/:id", "https://e.com/books/"));
        assertEquals(Map.of("id", "12"), groups("https://e.com/books/:id", "https://e.com/books/12", "pathname"));
    }

    @Test
    void namedGroup_inTheHostname_matchesOneLabel() {
        assertTrue(test("https://:sub.e.com/", "https://a.e.com/"));
        assertFalse(test("https://:sub.e.com/", "https://a.b.e.com/"));
        assertEquals(Map.of("sub", "a"), groups("https://:sub.e.com/", "https://a.e.com/", "hostname"));
    }

    @Test
    void regexpGroup_constrainsTheMatch() {
        assertTrue(test("https://e.com/:id(\\d+)", "https://e.com/42"));
        assertFalse(test("https://e.com/:id(\\d+)", "https://e.com/4x"));
        assertTrue(test("https://e.com/(foo|bar)", "https://e.com/bar"));
        assertEquals(Map.of("0", "bar"), groups("https://e.com/(foo|bar)", "https://e.com/bar", "pathname"));
        assertTrue(UrlPattern.compile("https://e.com/(foo|bar)", null).hasRegExpGroups());
        assertFalse(UrlPattern.compile("https://e.com/:id", null).hasRegExpGroups());
    }

    @Test
    void wildcard_matchesAcrossSegments() {
        assertTrue(test("https://e.com/files/*", "https://e.com/files/a/b/c.txt"));
        assertTrue(test("https://e.com/files/*", "https://e.com/files/"));
        assertFalse(test("https://e.com/files/*", "https://e.com/file"));
        assertEquals("a/b", groups("https://e.com/files/*", "https://e.com/files/a/b", "pathname").get("0"));
    }

    @Test
    void modifiers_withThePathnamePrefix() {
        assertTrue(test("https://e.com/a/:x?", "https://e.com/a"), "the '/' before an optional group is optional too");
        assertTrue(test("https://e.com/a/:x?", "https://e.com/a/b"));
        assertTrue(test("https://e.com/a/:x*", "https://e.com/a"));
        assertTrue(test("https://e.com/a/:x*", "https://e.com/a/b/c"));
        assertFalse(test("https://e.com/a/:x+", "https://e.com/a"));
        assertTrue(test("https://e.com/a/:x+", "https://e.com/a/b/c"));
        assertEquals("b/c", groups("https://e.com/a/:x+", "https://e.com/a/b/c", "pathname").get("x"));
    }

    @Test
    void groups_braceTheirPrefixAndSuffix() {
        assertTrue(test("https://e.com/book{s}?", "https://e.com/book"));
        assertTrue(test("https://e.com/book{s}?", "https://e.com/books"));
        assertFalse(test("https://e.com/book{s}?", "https://e.com/bookss"));
        assertTrue(test("https://e.com/foo{-:id}?", "https://e.com/foo"));
        assertTrue(test("https://e.com/foo{-:id}?", "https://e.com/foo-3"));
        assertFalse(test("https://e.com/foo{-:id}?", "https://e.com/foo-"));
        assertEquals("/:a{.:ext}?", UrlPattern.compile("https://e.com/:a{.:ext}?", null).pathname());
    }

    @Test
    void escapes_makeSyntaxPlainText() {
        assertTrue(test("https://e.com/a\\:b", "https://e.com/a:b"));
        assertTrue(test("https://e.com/a\\*", "https://e.com/a*"));
        assertFalse(test("https://e.com/a\\*", "https://e.com/ab"));
        assertTrue(test("https://e.com/\\(x\\)", "https://e.com/(x)"));
    }

    // ---------------------------------------------------------------- the constructor string

    @Test
    void constructorString_splitsItsComponents() {
        UrlPattern p = UrlPattern.compile("https://example.com/:id\\?q=*#frag", null);
        assertEquals("https", p.protocol());
        assertEquals("example.com", p.hostname());
        assertEquals("", p.port(), "a host without a port means the default port");
        assertEquals("/:id", p.pathname());
        assertEquals("q=*", p.search());
        assertEquals("frag", p.hash());
        assertEquals("*", p.username(), "user info left out matches any");
        assertTrue(p.test("https://example.com/7?q=anything#frag", null));
        assertFalse(p.test("https://example.com/7?r=1#frag", null));
        assertFalse(p.test("https://example.com/7?q=1#other", null));
    }

    @Test
    void constructorString_questionMarkAfterAGroup_isItsModifier() {
        // As the standard says: after ":id" a '?' makes the group optional; "\\?" starts the search.
        UrlPattern p = UrlPattern.compile("https://example.com/:id?q=*", null);
        assertEquals("/:id?q=*", p.pathname());
        assertEquals("*", p.search());
        assertTrue(p.test("https://example.com/7q=x", null));
        assertTrue(p.test("https://example.com/7q=x?anything", null), "any search");
        assertFalse(p.test("https://example.com/7?q=x", null));
        assertEquals("q=*", UrlPattern.compile("https://example.com/books?q=*", null).search());
    }

    @Test
    void constructorString_withoutSearchOrHash_matchesAnyOfThem() {
        UrlPattern p = UrlPattern.compile("https://example.com/:id", null);
        assertEquals("*", p.search());
        assertEquals("*", p.hash());
        assertTrue(p.test("https://example.com/1?x#y", null));
    }

    @Test
    void constructorString_portAndUserinfo() {
        UrlPattern p = UrlPattern.compile("https://:user::pass@example.com:8443/x", null);
        assertEquals(":user", p.username());
        assertEquals(":pass", p.password());
        assertEquals("8443", p.port());
        assertTrue(p.test("https://alice:secret@example.com:8443/x", null));
        assertFalse(p.test("https://alice:secret@example.com/x", null));
        assertTrue(test("https://example.com:*/x", "https://example.com:9/x"));
    }

    @Test
    void constructorString_defaultPort_isTheEmptyPort() {
        assertEquals("", UrlPattern.compile("https://example.com:443/", null).port());
        assertTrue(test("https://example.com:443/", "https://example.com/"));
        assertTrue(test("http://example.com/", "http://example.com:80/"));
        assertFalse(test("http://example.com/", "http://example.com:8080/"));
    }

    @Test
    void constructorString_ipv6Host() {
        UrlPattern p = UrlPattern.compile("http://[\\:\\:1]/", null);
        assertEquals("[\\:\\:1]", p.hostname());
        assertTrue(p.test("http://[::1]/", null));
        assertFalse(p.test("http://[::2]/", null));
        assertTrue(test("http://[\\:\\:AB]:8080/", "http://[::ab]:8080/"), "hex digits lower-cased");
        assertTrue(refusal("http://[\\:\\:xyz]/").startsWith("the URL pattern's hostname"));
    }

    @Test
    void constructorString_relative_takesTheBaseUrlsEarlierComponents() {
        UrlPattern p = UrlPattern.compile("/books/:id", "https://example.com:8080/shelf/x?q#h");
        assertEquals("https", p.protocol());
        assertEquals("example.com", p.hostname());
        assertEquals("8080", p.port());
        assertEquals("/books/:id", p.pathname());
        assertEquals("*", p.search(), "components after the given one match any");
        assertEquals("*", p.username(), "user info is never inherited");
        assertTrue(p.test("https://example.com:8080/books/1?z", null));
        assertFalse(p.test("https://example.com/books/1", null));
    }

    @Test
    void constructorString_relativePathname_isResolvedAgainstTheBasePath() {
        UrlPattern p = UrlPattern.compile("books/:id", "https://example.com/shelf/index.html");
        assertEquals("/shelf/books/:id", p.pathname());
        UrlPattern q = UrlPattern.compile("d/:x", "https://e.com/a:b/c");
        assertEquals("/a\\:b/d/:x", q.pathname(), "the base's text is escaped, not read as pattern syntax");
        assertTrue(q.test("https://e.com/a:b/d/1", null));
    }

    @Test
    void constructorString_searchOrHashOnly_inheritsThePathname() {
        UrlPattern p = UrlPattern.compile("?q=:v", "https://example.com/list");
        assertEquals("/list", p.pathname());
        assertTrue(p.test("https://example.com/list?q=1", null));
        UrlPattern h = UrlPattern.compile("#top", "https://example.com/list?q=1");
        assertEquals("q=1", h.search());
        assertTrue(h.test("https://example.com/list?q=1#top", null));
    }

    @Test
    void constructorString_relativeWithoutBase_isRefused() {
        assertEquals("the URL pattern '/books/:id' is relative (no scheme) and there is no base URL to resolve it"
                + " against", refusal("/books/:id"));
    }

    @Test
    void init_componentsLeftOut_matchAnything() {
        UrlPattern p = UrlPattern.compile(Map.of("pathname", "/books/:id"));
        assertEquals("*", p.protocol());
        assertTrue(p.test("ftp://any.host:21/books/1", null));
        assertTrue(p.test(Map.of("pathname", "/books/1")));
        assertEquals("'path' is not a URL pattern component (one of [protocol, username, password, hostname, port,"
                + " pathname, search, hash] or baseURL)", assertThrows(IllegalArgumentException.class,
                () -> UrlPattern.compile(Map.of("path", "/x"))).getMessage());
    }

    // ---------------------------------------------------------------- canonicalization

    @Test
    void percentEncoding_isCanonicalizedOnBothSides() {
        assertTrue(test("https://e.com/caf%C3%A9", "https://e.com/café"));
        assertTrue(test("https://e.com/café", "https://e.com/caf%C3%A9"));
        assertEquals("/caf%C3%A9", UrlPattern.compile("https://e.com/café", null).pathname());
        assertTrue(test("https://e.com/a b", "https://e.com/a%20b"));
    }

    @Test
    void hostnames_areCaseInsensitiveThroughCanonicalization() {
        assertEquals("example.com", UrlPattern.compile("https://EXAMPLE.com/", null).hostname());
        assertTrue(test("https://EXAMPLE.com/x", "https://example.COM/x"));
        assertTrue(test("https://bücher.example/", "https://xn--bcher-kva.example/"), "IDNA on both sides");
        // Mercure keeps hosts case-insensitive for every scheme; the URL parser keeps an opaque host's case.
        for (String topic : List.of("foo://bar/1", "foo://BAR/2", "foo://Bar/3")) {
            assertTrue(m("foo://BAR/:id", topic), topic);
            assertTrue(m("foo://bar/:id", topic), topic);
        }
        assertFalse(m("foo://bar/:id", "foo://baz/1"));
        assertFalse(m("foo://bar/x/:id", "foo://bar/X/1"), "paths stay case-sensitive");
    }

    @Test
    void ignoreCase_isNeverOn_pathsAreCaseSensitive() {
        assertFalse(test("https://e.com/Foo/:id", "https://e.com/foo/a"));
        assertFalse(test("https://e.com/foo", "https://e.com/FOO"));
        assertFalse(test("https://e.com/?q=A", "https://e.com/?q=a"));
        assertTrue(test("HTTPS://e.com/foo", "https://e.com/foo"), "the scheme is lower-cased by canonicalization");
    }

    @Test
    void dotSegments_areResolvedInPatternAndUrl() {
        assertEquals("/a/c", UrlPattern.compile("https://e.com/a/b/../c", null).pathname());
        assertTrue(test("https://e.com/a/c", "https://e.com/a/b/%2e%2e/c"));
        // A fixed part whose dots remove it entirely (its canonicalization once threw StringIndexOutOfBounds).
        assertEquals("/:a", UrlPattern.compile("https://e/:a-x/..", null).pathname());
    }

    // ---------------------------------------------------------------- errors and RE2

    @Test
    void malformedPatterns_areRefusedWithTheReason() {
        assertEquals("the URL pattern's pathname '/(a' is not well formed: the regexp group at 1 is not closed",
                refusal("https://e/(a"));
        assertEquals("the URL pattern's pathname '/{a' is not well formed: the group '{' at 1 is not closed where"
                + " expected (found the end)", refusal("https://e/{a"));
        assertEquals("the URL pattern's pathname '/a}' is not well formed: unexpected '}' at 2 (no group to close)",
                refusal("https://e/a}"));
        assertTrue(refusal("https://e/:id([a-)").startsWith("the URL pattern's pathname '/:id([a-)' has a regexp"));
        assertEquals("the URL pattern's pathname '/:a/:a' is not well formed: the group name 'a' is used twice",
                refusal("https://e/:a/:a"));
        assertEquals("the URL pattern's pathname '/(a(b))' is not well formed: the regexp group at 1 holds a"
                + " capturing group: write (?:…) for a group inside a regexp", refusal("https://e/(a(b))"));
        assertTrue(refusal("https://e:99999/").startsWith("the URL pattern's port '99999'"));
    }

    @Test
    void lookaroundAndBackreferences_areRefusedNotChanged() {
        assertEquals("the URL pattern's pathname '/:x((?=a)a)' has a regexp group that cannot be used: a"
                + " lookahead '(?=' (RE2 matches in linear time and has none) at 7 of the regular expression"
                + " ^(?:\\/((?=a)a))$", refusal("https://e/:x((?=a)a)"));
        assertTrue(refusal("https://e/:x((?!a).)").contains("a lookahead '(?!'"));
        assertTrue(refusal("https://e/:x((?<=a)b)").contains("a lookbehind '(?<='"));
        assertTrue(refusal("https://e/:x((?:a)\\1)").contains("a backreference '\\1'"));
        assertTrue(refusal("https://e/:x((?<n>a)\\k<n>)").contains("a backreference '\\k'"));
        assertTrue(refusal("https://e/?:q((?=1))").startsWith("the URL pattern's search"), "the component is named");
    }

    @Test
    void ecmaScriptSyntax_isTranslatedWithItsMeaning() {
        assertTrue(test("https://e.com/:x([\\d&&[0-4]])", "https://e.com/3"), "v-flag intersection");
        assertFalse(test("https://e.com/:x([\\d&&[0-4]])", "https://e.com/7"));
        assertTrue(test("https://e.com/:x([[a-z]--a])", "https://e.com/b"), "v-flag subtraction");
        assertFalse(test("https://e.com/:x([[a-z]--a])", "https://e.com/a"));
        assertTrue(test("https://e.com/:x(\\u0041\\x42)", "https://e.com/AB"));
        assertTrue(test("https://e.com/:x(a{2,3})", "https://e.com/aaa"));
        assertFalse(test("https://e.com/:x(a{2,3})", "https://e.com/aaaa"));
        assertTrue(refusal("https://e.com/:x([a{])").contains("a '{' in a class that the v flag wants escaped"));
        assertTrue(refusal("https://e.com/:x(a\\b+)").contains("'+' repeats nothing"), "as ECMAScript: \\b is no atom");
    }

    @Test
    void pathologicalRegexp_isMatchedInLinearTime() {
        // (a+)+b backtracks exponentially on "aaaa…c" in a backtracking engine; RE2/J answers at
        // once. No time is asserted: the test finishes, which it would not on such an engine.
        UrlPattern p = UrlPattern.compile("https://e.com/:x((?:a+)+b)", null);
        String many = "a".repeat(100_000);
        assertFalse(p.test("https://e.com/" + many + "c", null));
        assertTrue(p.test("https://e.com/" + many + "b", null));
        UrlPattern repeated = UrlPattern.compile("https://e.com/(a+)+b", null); // a regexp group, repeated
        assertFalse(repeated.test("https://e.com/" + many + "c", null));
        assertTrue(repeated.test("https://e.com/aa/a/ab", null));
        assertFalse(m("https://e/:x((?:a+)+$)", "https://e/" + "a".repeat(5000) + "b"));
    }
}
