package dev.ssekit.app.url;

import java.util.Objects;
import java.util.Optional;

/**
 * A URL parsed by the WHATWG URL Standard's basic URL parser (review draft 2026-02), immutable and
 * thread-safe; equal when their {@link #href()} is.
 *
 * <p>Everything but IDNA follows the standard step for step: the parser's states (with the state
 * overrides its setters and the URL Pattern Standard use), the host parser (domains, IPv4 in
 * decimal, octal and hexadecimal parts with the "ends in a number" rule, IPv6 with embedded IPv4
 * and "::" compression, opaque hosts), the percent-encode sets and the serializers. Input is
 * UTF-8; unpaired surrogates count as U+FFFD, as they would in a JavaScript {@code URL}.
 *
 * <h2>Where "domain to ASCII" approximates UTS #46</h2>
 * An ASCII domain none of whose labels starts with {@code xn--} is lower-cased, exactly as the
 * standard's fast path says. Other domains go through UTS #46 ToASCII (nontransitional,
 * CheckHyphens, UseSTD3ASCIIRules and VerifyDnsLength off, CheckBidi and CheckJoiners on), but the
 * JDK has no UTS #46 data, so:
 * <ul>
 * <li><b>Mapping</b>: each code point is lower-cased with {@link String#toLowerCase} (full case
 * mapping, not case folding) and NFKC-normalized, twice; then the domain is NFC-normalized. The
 * deviation characters ß, ς, ZWJ and ZWNJ are kept; U+3002, U+FF0E and U+FF61 become '.'; U+1E9E
 * becomes "ss"; a fixed list of default-ignorable code points (soft hyphen, variation selectors,
 * ZWSP, word joiner, BOM, …) is removed. Code points that UTS #46 maps differently from
 * lower-case + NFKC (a few case-folding differences, such as Cherokee, and its own
 * exceptions) map differently here.
 * <li><b>Validity</b>: the status "disallowed" is approximated by the JDK's IDNA2003 prohibitions
 * ({@link java.net.IDN#toASCII} with {@code ALLOW_UNASSIGNED} failing), plus unpaired surrogates,
 * private use, noncharacters and U+FFFD; its bidi rule and DNS length limit are not UTS #46 rules
 * with these flags and are ignored. Code points UTS #46 disallows but IDNA2003 allowed, or
 * unassigned in the JDK's Unicode version, pass. Labels must be NFC, must not start with a mark
 * or with {@code xn--} once decoded; the standard's forbidden domain code points fail.
 * <li><b>{@code xn--} labels</b> must be ASCII and valid Punycode (RFC 3492, implemented here)
 * decoding to a non-ASCII label that the mapping leaves unchanged and that is valid.
 * <li><b>CheckJoiners</b>: ZWJ only after a virama; ZWNJ after a virama or between joining
 * letters. A virama (canonical combining class 9) is found exactly, through canonical reordering;
 * the JDK has no Joining_Type, so a joining letter is a letter of
 * a joining script (Arabic, Syriac, N'Ko, Mongolian and others) and transparent means a
 * nonspacing or enclosing mark or a format character.
 * <li><b>CheckBidi</b>: RFC 5893 rules 1–6 with the JDK's bidi classes, on every label once one is
 * right-to-left.
 * </ul>
 * The hosts for which this gives another answer than a browser are listed in the hub's guide
 * (docs/hub.md, "Internationalized hosts"). ICU4J's UTS #46 would give the browser's answer, but
 * it would take the hub WAR from 7.9 MB to 22.0 MB (bench/RESULTS.md).
 */
public final class WhatwgUrl {
    // The URL Pattern Standard's dummy URL, parsed once; each canonicalizer changes a copy.
    private static final UrlRecord DUMMY = Parser.parse("https://dummy.invalid/", null);

    private final String scheme;
    private final String username;
    private final String password;
    private final String host;
    private final Integer port;
    private final boolean opaquePath;
    private final String path;
    private final String query;
    private final String fragment;
    private final String href;
    // The parser's record, for resolving other URLs against this one; never handed out.
    private final UrlRecord record;

    private WhatwgUrl(UrlRecord record) {
        this.record = record.copy();
        this.scheme = record.scheme;
        this.username = record.username;
        this.password = record.password;
        this.host = record.host;
        this.port = record.port;
        this.opaquePath = record.opaquePath != null;
        this.path = record.pathString();
        this.query = record.query;
        this.fragment = record.fragment;
        this.href = record.href();
    }

    /**
     * Parses {@code input} against {@code base} with the basic URL parser.
     *
     * @param input the URL string; leading and trailing C0 controls and spaces and all tabs and
     *              newlines are ignored
     * @param base  the URL relative input resolves against, or null
     * @return the parsed URL, or empty on failure (the standard's "failure")
     * @throws NullPointerException if {@code input} is null
     */
    public static Optional<WhatwgUrl> parse(String input, WhatwgUrl base) {
        Objects.requireNonNull(input, "input");
        UrlRecord url = Parser.parse(input, base == null ? null : base.record);
        return url == null ? Optional.empty() : Optional.of(new WhatwgUrl(url));
    }

    /**
     * Parses an absolute URL string with the basic URL parser.
     *
     * @param input the URL string
     * @return the parsed URL, or empty on failure
     * @throws NullPointerException if {@code input} is null
     */
    public static Optional<WhatwgUrl> parse(String input) {
        return parse(input, null);
    }

    /** @return the scheme, lower-case, without ':' */
    public String scheme() {
        return scheme;
    }

    /** @return the percent-encoded username, "" if none */
    public String username() {
        return username;
    }

    /** @return the percent-encoded password, "" if none */
    public String password() {
        return password;
    }

    /** @return the serialized host ("[…]" for IPv6), "" for the empty host, null if the URL has none */
    public String host() {
        return host;
    }

    /** @return the port, null if none (a scheme's default port is null too) */
    public Integer port() {
        return port;
    }

    /** @return whether the path is opaque (as in {@code mailto:x}), not a list of segments */
    public boolean hasOpaquePath() {
        return opaquePath;
    }

    /** @return the URL path serializer's output: "/a/b", or the opaque path */
    public String path() {
        return path;
    }

    /** @return the query without '?', null if none */
    public String query() {
        return query;
    }

    /** @return the fragment without '#', null if none */
    public String fragment() {
        return fragment;
    }

    /** @return the URL serializer's output */
    public String href() {
        return href;
    }

    /**
     * @param scheme a scheme, lower-case
     * @return whether it is one of ftp, file, http, https, ws, wss
     */
    public static boolean isSpecialScheme(String scheme) {
        switch (String.valueOf(scheme)) {
            case "ftp", "file", "http", "https", "ws", "wss":
                return true;
            default:
                return false;
        }
    }

    /**
     * @param scheme a scheme, lower-case
     * @return its default port, null if it is not special or is file
     */
    public static Integer defaultPort(String scheme) {
        switch (String.valueOf(scheme)) {
            case "ftp":
                return 21;
            case "http", "ws":
                return 80;
            case "https", "wss":
                return 443;
            default:
                return null;
        }
    }

    /**
     * The URL Pattern Standard's "canonicalize a protocol": parses {@code value + "://dummy.invalid/"}.
     *
     * @param value a protocol, without ':'
     * @return the canonical scheme; "" for ""
     * @throws IllegalArgumentException "protocol: …" if the URL parser fails on it
     * @throws NullPointerException "protocol: …" if {@code value} is null
     */
    public static String canonicalizeProtocol(String value) {
        require(value, "protocol");
        if (value.isEmpty()) {
            return value;
        }
        UrlRecord url = Parser.parse(value + "://dummy.invalid/", null);
        if (url == null) {
            throw invalid("protocol", value);
        }
        return url.scheme;
    }

    /**
     * The URL Pattern Standard's "canonicalize a username".
     *
     * @param value a username
     * @return it percent-encoded with the userinfo set
     * @throws NullPointerException "username: …" if {@code value} is null
     */
    public static String canonicalizeUsername(String value) {
        require(value, "username");
        return PercentEncoding.USERINFO.encode(Parser.toScalarValues(value));
    }

    /**
     * The URL Pattern Standard's "canonicalize a password".
     *
     * @param value a password
     * @return it percent-encoded with the userinfo set
     * @throws NullPointerException "password: …" if {@code value} is null
     */
    public static String canonicalizePassword(String value) {
        require(value, "password");
        return PercentEncoding.USERINFO.encode(Parser.toScalarValues(value));
    }

    /**
     * The URL Pattern Standard's "canonicalize a hostname": the hostname state override on a
     * dummy https URL.
     *
     * @param value a hostname
     * @return the serialized host; "" for ""
     * @throws IllegalArgumentException "hostname: …" if the host parser fails on it
     * @throws NullPointerException "hostname: …" if {@code value} is null
     */
    public static String canonicalizeHostname(String value) {
        require(value, "hostname");
        if (value.isEmpty()) {
            return value;
        }
        UrlRecord url = dummy();
        if (!Parser.parse(value, url, Parser.State.HOSTNAME)) {
            throw invalid("hostname", value);
        }
        return url.host == null ? "" : url.host;
    }

    /**
     * The URL Pattern Standard's "canonicalize an IPv6 hostname".
     *
     * @param value an IPv6 hostname, with its brackets
     * @return it lower-cased
     * @throws IllegalArgumentException "hostname: …" if it has a code point other than a hex
     *                                  digit, '[', ']' or ':'
     * @throws NullPointerException "hostname: …" if {@code value} is null
     */
    public static String canonicalizeIpv6Hostname(String value) {
        require(value, "hostname");
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (PercentEncoding.hex(ch) < 0 && ch != '[' && ch != ']' && ch != ':') {
                throw invalid("hostname", value);
            }
            out.append(Character.toLowerCase(ch));
        }
        return out.toString();
    }

    /**
     * The URL Pattern Standard's "canonicalize a port": the port state override on a dummy URL
     * whose scheme is {@code protocol}, if given.
     *
     * @param value    a port
     * @param protocol the scheme whose default port becomes "", or null
     * @return the port, "" if it is the default port or {@code value} is ""
     * @throws IllegalArgumentException "port: …" if the port is not a number up to 65535
     * @throws NullPointerException "port: …" if {@code value} is null
     */
    public static String canonicalizePort(String value, String protocol) {
        require(value, "port");
        if (value.isEmpty()) {
            return value;
        }
        UrlRecord url = dummy();
        if (protocol != null) {
            url.scheme = protocol;
        }
        if (!Parser.parse(value, url, Parser.State.PORT)) {
            throw invalid("port", value);
        }
        return url.port == null ? "" : url.port.toString();
    }

    /**
     * The URL Pattern Standard's "canonicalize a pathname" (for special and empty protocols):
     * the path start state override on a dummy https URL, without the leading '/' the parser
     * would add when {@code value} has none.
     *
     * @param value a pathname or a piece of one
     * @return the pathname, dot segments resolved and percent-encoded with the path set
     * @throws NullPointerException "pathname: …" if {@code value} is null
     */
    public static String canonicalizePathname(String value) {
        require(value, "pathname");
        if (value.isEmpty()) {
            return value;
        }
        boolean leadingSlash = value.charAt(0) == '/';
        UrlRecord url = dummy();
        url.path.clear();
        Parser.parse(leadingSlash ? value : "/-" + value, url, Parser.State.PATH_START);
        String result = url.pathString();
        // Dot segments can take the "/-" away too ("-x/.." leaves "/"): nothing of value is left.
        return leadingSlash ? result : result.length() < 2 ? "" : result.substring(2);
    }

    /**
     * The URL Pattern Standard's "canonicalize an opaque pathname".
     *
     * @param value an opaque path
     * @return it percent-encoded with the C0 control set
     * @throws NullPointerException "pathname: …" if {@code value} is null
     */
    public static String canonicalizeOpaquePathname(String value) {
        require(value, "pathname");
        if (value.isEmpty()) {
            return value;
        }
        UrlRecord url = dummy();
        url.opaquePath = new StringBuilder();
        if (!Parser.parse(value, url, Parser.State.OPAQUE_PATH)) {
            throw invalid("pathname", value);
        }
        return url.pathString();
    }

    /**
     * The URL Pattern Standard's "canonicalize a search": the query state override on a dummy
     * https URL.
     *
     * @param value a query, without '?'
     * @return it percent-encoded with the special-query set
     * @throws NullPointerException "search: …" if {@code value} is null
     */
    public static String canonicalizeSearch(String value) {
        require(value, "search");
        if (value.isEmpty()) {
            return value;
        }
        UrlRecord url = dummy();
        url.query = "";
        Parser.parse(value, url, Parser.State.QUERY);
        return url.query;
    }

    /**
     * The URL Pattern Standard's "canonicalize a hash": the fragment state override on a dummy
     * https URL.
     *
     * @param value a fragment, without '#'
     * @return it percent-encoded with the fragment set
     * @throws NullPointerException "hash: …" if {@code value} is null
     */
    public static String canonicalizeHash(String value) {
        require(value, "hash");
        if (value.isEmpty()) {
            return value;
        }
        UrlRecord url = dummy();
        url.fragment = "";
        Parser.parse(value, url, Parser.State.FRAGMENT);
        return url.fragment;
    }

    private static UrlRecord dummy() {
        return DUMMY.copy();
    }

    private static void require(String value, String component) {
        if (value == null) {
            throw new NullPointerException(component + ": the value must not be null");
        }
    }

    private static IllegalArgumentException invalid(String component, String value) {
        return new IllegalArgumentException(component + ": \"" + value + "\" is not valid in a URL");
    }

    /** @return whether {@code o} is a WhatwgUrl with the same {@link #href()} */
    @Override
    public boolean equals(Object o) {
        return o instanceof WhatwgUrl && ((WhatwgUrl) o).href.equals(href);
    }

    @Override
    public int hashCode() {
        return href.hashCode();
    }

    /** @return {@link #href()} */
    @Override
    public String toString() {
        return href;
    }
}
