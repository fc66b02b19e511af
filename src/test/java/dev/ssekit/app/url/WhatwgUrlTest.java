package dev.ssekit.app.url;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The URL Standard's parser, case by case from the standard's text (review draft 2026-02). The
 * pom has no AssertJ, so these use JUnit's assertions, as the other tests do.
 */
class WhatwgUrlTest {

    private static WhatwgUrl url(String input) {
        return WhatwgUrl.parse(input).orElseThrow(() -> new AssertionError("failed to parse " + input));
    }

    private static String href(String input) {
        return url(input).href();
    }

    private static String resolve(String input, String base) {
        return WhatwgUrl.parse(input, url(base)).map(WhatwgUrl::href).orElse(null);
    }

    private static void assertFails(String input) {
        Optional<WhatwgUrl> parsed = WhatwgUrl.parse(input);
        assertFalse(parsed.isPresent(), () -> input + " parsed as " + parsed.get());
    }

    private static String host(String input) {
        return url(input).host();
    }

    @Test
    void parse_splitsEveryComponent() {
        WhatwgUrl u = url("HTTPS://User:Pa%20ss@Example.COM:8443/a/b?q=1#frag");
        assertEquals("https", u.scheme());
        assertEquals("User", u.username());
        assertEquals("Pa%20ss", u.password());
        assertEquals("example.com", u.host());
        assertEquals(8443, u.port());
        assertFalse(u.hasOpaquePath());
        assertEquals("/a/b", u.path());
        assertEquals("q=1", u.query());
        assertEquals("frag", u.fragment());
        assertEquals("https://User:Pa%20ss@example.com:8443/a/b?q=1#frag", u.href());
        assertEquals(u.href(), u.toString());
    }

    @Test
    void parse_absentComponentsAreNullOrEmpty() {
        WhatwgUrl u = url("http://h");
        assertEquals("", u.username());
        assertEquals("", u.password());
        assertNull(u.port());
        assertEquals("/", u.path());
        assertNull(u.query());
        assertNull(u.fragment());
        assertEquals("http://h/?#", href("http://h?#"));
        assertEquals("", url("http://h?#").query());
        assertEquals("", url("http://h?#").fragment());
    }

    @Test
    void specialSchemes_haveDefaultPortsThatAreDropped() {
        assertTrue(WhatwgUrl.isSpecialScheme("ws"));
        assertFalse(WhatwgUrl.isSpecialScheme("mailto"));
        assertEquals(21, WhatwgUrl.defaultPort("ftp"));
        assertEquals(443, WhatwgUrl.defaultPort("wss"));
        assertNull(WhatwgUrl.defaultPort("file"));
        assertNull(WhatwgUrl.defaultPort("foo"));
        assertNull(url("http://h:80/").port());
        assertNull(url("https://h:0443/").port());
        assertEquals("ws://h/", href("ws://h:80"));
        assertEquals("http://h:443/", href("http://h:443"));
        assertEquals("foo://h:80/", href("foo://h:80/"));
        assertEquals("http://h:65535/", href("http://h:65535"));
        assertFails("http://h:65536/");
        assertFails("http://h:8a/");
        assertEquals("http://h/", href("http://h:/"));
    }

    @Test
    void backslashes_areSlashesInSpecialUrlsOnly() {
        assertEquals("http://h/a/b", href("http:\\\\h\\a\\b"));
        assertEquals("http://h/a/b", href("http:/\\h/a\\b"));
        assertEquals("foo://h/a\\b", href("foo://h/a\\b"));
        assertEquals("http://h/", href("http:h"));
        assertEquals("http://h/", href("http:///h"));
    }

    @Test
    void parse_stripsTabsNewlinesAndOuterC0ControlsAndSpaces() {
        assertEquals("http://host/path?q#f", href("ht\ttp://ho\nst/pa\rth?q#f\t"));
        assertEquals("http://h/x", href(" \u0000\u001F http://h/x \u0001 "));
        assertEquals("http://h/%20x%20y", href("http://h/ x y \u0020"));
        assertEquals("http://h/%20x", href("http://h/ x  "));
    }

    @Test
    void userinfo_isPercentEncodedWithTheUserinfoSet() {
        WhatwgUrl u = url("http://a b:c:d@h/");
        assertEquals("a%20b", u.username());
        assertEquals("c%3Ad", u.password());
        assertEquals("http://us%40er:p%40ss@h/", href("http://us@er:p@ss@h/"));
        assertEquals("http://%C3%BC:%7B%7D@h/", href("http://ü:{}@h/"));
        assertEquals("http://u@h/", href("http://u:@h/"));
        assertEquals("http://:p@h/", href("http://:p@h/"));
        assertEquals("http://h/", href("http://@h/"));
        assertFails("http://u@/");
        assertFails("http://u@:80/");
    }

    @Test
    void ipv4_acceptsEveryNumberForm() {
        assertEquals("127.0.0.1", host("http://0x7f.1/"));
        assertEquals("127.0.0.1", host("http://127.1/"));
        assertEquals("127.0.0.1", host("http://2130706433/"));
        assertEquals("127.0.0.1", host("http://0177.0.0.1/"));
        assertEquals("127.0.0.1", host("http://0x7F000001/"));
        assertEquals("192.168.0.1", host("http://192.168.0.1./"));
        assertEquals("0.0.0.0", host("http://0x/"));
        assertEquals("255.255.255.255", host("http://4294967295/"));
        assertEquals("1.2.3.4", host("http://1.2.3.4/"));
    }

    @Test
    void ipv4_refusesWhatEndsInANumberButIsNoAddress() {
        assertFails("http://256.0.0.1/");
        assertFails("http://4294967296/");
        assertFails("http://1.2.3.4.5/");
        assertFails("http://1.2.3.09/");
        assertFails("http://0x100.0.0.1/");
        assertFails("http://1.2.3.256/");
        assertFails("http://256.0.0.1.x.0x/");
        assertFails("http://a.1/");
        assertFails("http://a.0x1/");
        assertFails("http://1.2..3/");
        // Not ending in a number: a domain.
        assertEquals("256.0.0.1.x", host("http://256.0.0.1.x/"));
        assertEquals("1.2.3.4x", host("http://1.2.3.4x/"));
        assertEquals("0x1g", host("http://0x1g/"));
        // Non-special URLs have opaque hosts: no IPv4 parsing.
        assertEquals("256.0.0.1", host("foo://256.0.0.1/"));
    }

    @Test
    void ipv6_isCompressedAndLowerCased() {
        assertEquals("[::1]", host("http://[0:0:0:0:0:0:0:1]/"));
        assertEquals("[2001:db8::1]", host("http://[2001:DB8:0:0:0:0:0:1]/"));
        assertEquals("[2001:db8::1:0:0:1]", host("http://[2001:db8:0:0:1:0:0:1]/"));
        assertEquals("[1:0:1::]", host("http://[1:0:1:0:0:0:0:0]/"));
        assertEquals("[1:0:1:0:1:0:1:0]", host("http://[1:0:1:0:1:0:1:0]/"));
        assertEquals("[::]", host("http://[::]/"));
        assertEquals("[::ffff:c000:280]", host("http://[::ffff:192.0.2.128]/"));
        assertEquals("[::102:304]", host("http://[::1.2.3.4]/"));
        assertEquals("[::1]", host("foo://[::1]/"));
        assertEquals(8080, url("http://[::1]:8080/").port());
    }

    @Test
    void ipv6_refusesMalformedAddresses() {
        assertFails("http://[::1/");
        assertFails("http://[:1]/");
        assertFails("http://[1:::2]/");
        assertFails("http://[1::2::3]/");
        assertFails("http://[1:2:3:4:5:6:7:8:9]/");
        assertFails("http://[1:2:3:4:5:6:7]/");
        assertFails("http://[::1.2.3]/");
        assertFails("http://[::1.2.3.256]/");
        assertFails("http://[::1.2.3.04]/");
        assertFails("http://[::12345]/");
        assertFails("http://[::g]/");
        assertFails("http://[1:]/");
    }

    @Test
    void idna_convertsToPunycodeAndLowerCase() {
        assertEquals("xn--bcher-kva.example", host("https://bücher.example/"));
        assertEquals("xn--bcher-kva.example", host("https://BÜCHER.EXAMPLE/"));
        assertEquals("example.com", host("https://EXAMPLE.com/"));
        assertEquals("a.b", host("https://a\uFF0Eb/"));
        assertEquals("a.b", host("https://a\u3002b/"));
        assertEquals("example.com", host("https://\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.com/"));
        assertEquals("xn--zca", host("https://ß/"));
        assertEquals("xn--fa-hia.de", host("https://faß.de/"));
        assertEquals("xn--zca", host("https://XN--ZCA/"));
        assertEquals("xn--53h.example", host("https://\u2615.example/"));
        assertEquals("xn--bcher-kva.example", host("https://b%C3%BCcher.example/"));
        // Soft hyphen is ignored.
        assertEquals("ab", host("https://a\u00ADb/"));
    }

    @Test
    void idna_refusesBadPunycodeAndDisallowedLabels() {
        assertFails("https://xn--a/");
        assertFails("https://xn--zca.xn--a/");
        assertFails("https://xn--tešla/");
        // Decodes to ASCII: not a valid A-label.
        assertFails("https://xn--abc-/");
        // Upper-case after decoding: the mapping would change it (ASCII case is mapped first).
        assertFails("https://xn--" + Punycode.encode("\u00DC") + "/");
        assertEquals("xn--bcher-kva", host("https://xn--Bcher-kva/"));
        assertFails("https://\uE000.example/");
        assertFails("https://a\uFFFDb/");
        assertFails("https://%C3%28/");
        // A label may not start with a combining mark.
        assertFails("https://\u0301a/");
        // ZWJ only after a virama.
        assertFails("https://a\u200Db/");
        assertEquals("xn--10cl1a0b660p", host("https://\u0DC1\u0DCA\u200D\u0DBB\u0DD3/"));
        // Right-to-left labels follow the bidi rule.
        assertFails("https://\u05D0a/");
    }

    /**
     * One host of each kind that docs/hub.md ("Internationalized hosts") lists as parsed otherwise
     * than by a browser (UTS #46 as ICU4J implements it), so that the list changes with the code.
     */
    @Test
    void idna_differsFromABrowserWhereTheHubGuideSays() {
        // Accepted here, refused by a browser.
        assertEquals("xn--zva.net", host("https://\u0378.net/"));
        assertEquals("a1.com", host("https://a\u2488com/"));
        assertEquals("www..lookout.net", host("https://www\u2025lookout.net/"));
        assertEquals("xn--cmba004q", host("https://\u06EF\u200C\u06EF/"));
        // Refused here, accepted by a browser (as "lookout.net").
        assertFails("https://look\u206Bout.net/");
        // Another host than a browser's ("xn--zca", "xn--skb.xn--g9e").
        assertEquals("ss", host("https://\u1E9E/"));
        assertEquals("xn--skb.xn--osd737a", host("https://\u06B9.\u1873\u115F/"));
    }

    @Test
    void host_refusesForbiddenCodePoints() {
        for (String bad : new String[] {"a b", "a<b", "a>b", "a^b", "a|b", "a%00b", "a%25b", "a%7Fb", "a\u0001b"}) {
            assertFails("http://" + bad + "/");
        }
        assertFails("http://a[b/");
        assertFails("foo://a<b/");
        assertFails("foo://a^b/");
        assertEquals("a%25b", host("foo://a%25b/"));
        assertEquals("%C3%BC", host("foo://ü/"));
        assertEquals("a!b", host("http://a!b/"));
        assertFails("http:///");
        assertFails("http://?x");
        assertEquals("foo://?x", href("foo://?x"));
        assertEquals("", url("foo:///x").host());
    }

    @Test
    void path_resolvesDotSegments() {
        assertEquals("http://h/a/c", href("http://h/a/b/../c"));
        assertEquals("http://h/a/c", href("http://h/a/./b/%2e%2E/c"));
        assertEquals("http://h/a/", href("http://h/a/b/.%2e"));
        assertEquals("http://h/a/", href("http://h/a/b/%2e."));
        assertEquals("http://h/a/b/", href("http://h/a/b/%2E"));
        assertEquals("http://h/", href("http://h/../../.."));
        assertEquals("http://h/a/..a/", href("http://h/a/..a/"));
        assertEquals("http://h/a/%2e%2e%2e", href("http://h/a/%2e%2e%2e"));
        assertEquals("http://h/b", href("http://h/a\\..\\b"));
        assertEquals("foo://h/a/c", href("foo://h/a/b/../c"));
        assertEquals("foo:/.//p", href("foo:/.//p"));
        assertEquals("foo:/.//p", href("foo:/a/..//p"));
        assertEquals("foo:////p", href("foo:////p"));
    }

    @Test
    void percentEncoding_usesEachComponentsSet() {
        // Path: space " # < > ? ^ ` { } and non-ASCII.
        assertEquals("/%20%22%3C%3E%5E%60%7B%7D%C3%A9!$'()*+,;=:@[]|~",
                url("http://h/ \"<>^`{}é!$'()*+,;=:@[]|~").path());
        assertEquals("/a%3F", url("foo://h/a%3F").path());
        // Query: special URLs also encode '.
        assertEquals("%20%22%3C%3E%27`^{}%C3%A9", url("http://h/? \"<>'`^{}é").query());
        assertEquals("%20%22%3C%3E'`^{}%C3%A9", url("foo://h/? \"<>'`^{}é").query());
        assertEquals("a?b", url("http://h/?a?b").query());
        // Fragment: space " < > ` and non-ASCII, not #.
        assertEquals("%20%22%3C%3E%60#'^{}%C3%A9", url("http://h/# \"<>`#'^{}é").fragment());
        // Existing escapes stay as they are, even broken ones.
        assertEquals("/%41%zz%", url("http://h/%41%zz%").path());
        // Lone surrogates become U+FFFD.
        assertEquals("/%EF%BF%BD", url("http://h/\uD800").path());
    }

    @Test
    void opaquePaths_keepTheirText() {
        WhatwgUrl mail = url("mailto:Joe@Example.com?subject=hi#x");
        assertTrue(mail.hasOpaquePath());
        assertEquals("mailto", mail.scheme());
        assertNull(mail.host());
        assertEquals("Joe@Example.com", mail.path());
        assertEquals("subject=hi", mail.query());
        assertEquals("x", mail.fragment());
        assertEquals("urn:ISBN:0-486-27557-4", href("urn:ISBN:0-486-27557-4"));
        assertEquals("data:text/plain,a b%C3%A9\\", href("data:text/plain,a bé\\"));
        assertEquals("data:a%20?q", href("data:a ?q"));
        assertEquals("sc:a%20#f", href("sc:a #f"));
        assertEquals("javascript:alert(1)", href("javascript:alert(1)"));
        assertFalse(url("foo:/p").hasOpaquePath());
        assertFails("mailto");
    }

    @Test
    void fileUrls_handleHostsAndDriveLetters() {
        assertEquals("file:///C:/x", href("file:///C:/x"));
        assertEquals("file:///C:/x", href("file:C|/x"));
        assertEquals("file:///C:/x", href("file:/C|\\x"));
        assertEquals("file:///C:/", href("file:///C:/../.."));
        assertEquals("file:///", href("file://localhost/"));
        assertEquals("file://host/x", href("file://HOST/x"));
        assertEquals("", url("file:///x").host());
        assertEquals("file:///x", href("file:x"));
        assertEquals("file:///C:/y", resolve("y", "file:///C:/x"));
        assertEquals("file:///C:/y", resolve("/y", "file:///C:/x"));
        assertEquals("file:///D:", resolve("D|", "file:///C:/x"));
        assertEquals("d:", resolve("D:", "file:///C:/x"));
        assertEquals("file://h/y", resolve("/y", "file://h/x"));
        assertEquals("file:///x?q", resolve("?q", "file:///x"));
        assertFails("file://u@h/");
        assertFails("file://h:1/");
    }

    @Test
    void relative_resolvesAgainstTheBase() {
        String base = "http://u:p@h:8/a/b/c?q#f";
        assertEquals("http://u:p@h:8/a/b/d", resolve("d", base));
        assertEquals("http://u:p@h:8/a/d", resolve("../d", base));
        assertEquals("http://u:p@h:8/", resolve("../../../..", base));
        assertEquals("http://u:p@h:8/d", resolve("/d", base));
        assertEquals("http://other/d", resolve("//other/d", base));
        assertEquals("http://other/d", resolve("\\\\other\\d", base));
        assertEquals("http://u:p@h:8/a/b/c?x", resolve("?x", base));
        assertEquals("http://u:p@h:8/a/b/c?q#g", resolve("#g", base));
        assertEquals("http://u:p@h:8/a/b/c?q", resolve("", base));
        assertEquals("http://u:p@h:8/a/b/d", resolve("http:d", base));
        assertEquals("https://x/", resolve("https:x", base));
        assertEquals("foo:d", resolve("foo:d", base));
        assertEquals("foo://h/y", resolve("y", "foo://h/x"));
        assertEquals("mailto:a#b", resolve("#b", "mailto:a"));
        assertNull(resolve("b", "mailto:a"));
        assertFails("d");
        assertFails("//h/x");
    }

    @Test
    void equals_comparesHref() {
        assertEquals(url("HTTP://H:80/%7e"), url("http://h/%7e"));
        assertEquals(url("HTTP://H:80/").hashCode(), url("http://h/").hashCode());
        assertFalse(url("http://h/a").equals(url("http://h/b")));
    }

    @Test
    void canonicalizeProtocol_lowerCasesOrFails() {
        assertEquals("https", WhatwgUrl.canonicalizeProtocol("HTTPS"));
        assertEquals("web+demo", WhatwgUrl.canonicalizeProtocol("web+demo"));
        assertEquals("", WhatwgUrl.canonicalizeProtocol(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WhatwgUrl.canonicalizeProtocol("1http"));
        assertEquals("protocol: \"1http\" is not valid in a URL", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WhatwgUrl.canonicalizeProtocol("a b"));
    }

    @Test
    void canonicalize_nullNamesTheComponent() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> WhatwgUrl.canonicalizeSearch(null));
        assertEquals("search: the value must not be null", e.getMessage());
        assertThrows(NullPointerException.class, () -> WhatwgUrl.parse(null));
    }

    @Test
    void canonicalizeUsernameAndPassword_percentEncode() {
        assertEquals("a%20b%3A%40", WhatwgUrl.canonicalizeUsername("a b:@"));
        assertEquals("%C3%BC%2F", WhatwgUrl.canonicalizePassword("ü/"));
        assertEquals("", WhatwgUrl.canonicalizeUsername(""));
    }

    @Test
    void canonicalizeHostname_parsesTheHostOrFails() {
        assertEquals("xn--bcher-kva.example", WhatwgUrl.canonicalizeHostname("Bücher.example"));
        assertEquals("127.0.0.1", WhatwgUrl.canonicalizeHostname("0x7f.1"));
        assertEquals("[::1]", WhatwgUrl.canonicalizeHostname("[0::1]"));
        assertEquals("a", WhatwgUrl.canonicalizeHostname("a/b"));
        assertEquals("", WhatwgUrl.canonicalizeHostname(""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WhatwgUrl.canonicalizeHostname("bad^host"));
        assertTrue(e.getMessage().startsWith("hostname: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WhatwgUrl.canonicalizeHostname("a:80"));
        assertThrows(IllegalArgumentException.class, () -> WhatwgUrl.canonicalizeHostname("256.0.0.1"));
    }

    @Test
    void canonicalizeIpv6Hostname_lowerCasesOrFails() {
        assertEquals("[::abcd]", WhatwgUrl.canonicalizeIpv6Hostname("[::ABCD]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WhatwgUrl.canonicalizeIpv6Hostname("[::g]"));
        assertTrue(e.getMessage().startsWith("hostname: "), e.getMessage());
    }

    @Test
    void canonicalizePort_dropsDefaultPortsOrFails() {
        assertEquals("8080", WhatwgUrl.canonicalizePort("08080", null));
        assertEquals("", WhatwgUrl.canonicalizePort("443", null));
        assertEquals("", WhatwgUrl.canonicalizePort("80", "http"));
        assertEquals("80", WhatwgUrl.canonicalizePort("80", "foo"));
        assertEquals("80", WhatwgUrl.canonicalizePort("80a", "foo"));
        assertEquals("", WhatwgUrl.canonicalizePort("", "http"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WhatwgUrl.canonicalizePort("65536", null));
        assertEquals("port: \"65536\" is not valid in a URL", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WhatwgUrl.canonicalizePort("x", null));
    }

    @Test
    void canonicalizePathname_keepsAMissingLeadingSlashMissing() {
        assertEquals("/a/c", WhatwgUrl.canonicalizePathname("/a/b/../c"));
        assertEquals("a%20b", WhatwgUrl.canonicalizePathname("a b"));
        assertEquals(".", WhatwgUrl.canonicalizePathname("."));
        assertEquals("/foo/", WhatwgUrl.canonicalizePathname("/foo/./"));
        assertEquals("/%7B%7D", WhatwgUrl.canonicalizePathname("/{}"));
        assertEquals("/a/b", WhatwgUrl.canonicalizePathname("\\a\\b"));
        assertEquals("", WhatwgUrl.canonicalizePathname(""));
        // Dot segments that take the inserted "/-" away leave nothing (was StringIndexOutOfBounds).
        assertEquals("", WhatwgUrl.canonicalizePathname("-x/.."));
    }

    @Test
    void canonicalizeOpaquePathname_encodesC0AndNonAscii() {
        assertEquals("a b%C3%A9/../x", WhatwgUrl.canonicalizeOpaquePathname("a bé/../x"));
        assertEquals("", WhatwgUrl.canonicalizeOpaquePathname(""));
    }

    @Test
    void canonicalizeSearchAndHash_encodeWithTheirSets() {
        assertEquals("a=%20b&c=%27%23", WhatwgUrl.canonicalizeSearch("a= b&c='#"));
        assertEquals("%20%60#", WhatwgUrl.canonicalizeHash(" `#"));
        assertEquals("", WhatwgUrl.canonicalizeSearch(""));
        assertEquals("", WhatwgUrl.canonicalizeHash(""));
    }
}
