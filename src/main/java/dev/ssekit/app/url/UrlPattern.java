package dev.ssekit.app.url;

import dev.ssekit.app.url.PatternParser.Modifier;
import dev.ssekit.app.url.PatternParser.Options;
import dev.ssekit.app.url.PatternParser.Part;
import dev.ssekit.app.url.PatternParser.PartType;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * A URL pattern of the WHATWG URL Pattern Standard (review draft 2025-09), as Mercure matches
 * topics with it: {@code https://example.com/books/:id}, {@code /books/:id(\\d+)},
 * {@code https://*.example.com/:path*?lang=:lang}.
 *
 * <p>This is the standard's {@code new URLPattern(input, baseURL)} and {@code test(input, baseURL)}
 * ({@link #compile(String, String)}, {@link #test(String, String)}), with {@code ignoreCase} never
 * set, and the dictionary forms ({@link #compile(Map)}, {@link #test(Map)}). URLs are parsed and
 * pattern text canonicalized by {@link WhatwgUrl}.
 *
 * <p>Each component's regular expression is compiled with RE2/J instead of an ECMAScript engine,
 * so matching takes time linear in the input whatever the pattern. A regexp group RE2 cannot
 * express with the same meaning (lookahead, lookbehind, backreferences) is refused with an
 * {@link IllegalArgumentException} naming the component, never rewritten into something else.
 *
 * <p>Immutable and thread-safe.
 */
public final class UrlPattern {
    /** The longest pattern the hub accepts, in characters. */
    public static final int MAX_LENGTH = 2048;

    private static final List<String> COMPONENTS =
            List.of("protocol", "username", "password", "hostname", "port", "pathname", "search", "hash");
    private static final Set<String> INIT_KEYS = Set.of("protocol", "username", "password", "hostname", "port",
            "pathname", "search", "hash", "baseURL");
    private static final List<String> SPECIAL_SCHEMES = List.of("ftp", "file", "http", "https", "ws", "wss");

    /** Patterns compiled once and shared: subscribers often give the same one. */
    private static final int CACHE_SIZE = 10_000;
    private static final ConcurrentHashMap<String, UrlPattern> CACHE = new ConcurrentHashMap<>();
    /** The topic parsed last on this thread: a publish asks every subscriber's patterns about the same topic. */
    private static final ThreadLocal<Parsed> LAST_PARSED = new ThreadLocal<>();

    private final String text;
    private final Component[] components;
    // The last answer, for the many subscribers sharing this pattern during one publish.
    private volatile Memo last;

    private record Memo(String topic, String base, boolean result) {
    }

    /** A topic's eight component values, or null values when it does not parse. */
    private record Parsed(String topic, String base, String[] values) {
    }

    /** One compiled component: the standard's component struct, plus a shortcut for the common cases. */
    private record Component(String patternString, Pattern regexp, List<String> names, boolean hasRegexpGroups,
            String fixed, boolean any, String literalPrefix, Set<String> emptyIsUndefined) {
        boolean matches(String value) {
            if (any) {
                return true;
            }
            if (fixed != null) {
                return fixed.equals(value);
            }
            // A publish asks many patterns about one topic: most fail on their leading text, cheaply.
            return value.startsWith(literalPrefix) && regexp.matcher(value).matches();
        }
    }

    private UrlPattern(String text, Component[] components) {
        this.text = text;
        this.components = components;
    }

    // ---------------------------------------------------------------- creating

    /**
     * The standard's {@code new URLPattern(input, baseURL)} for a constructor string.
     *
     * @param input   a pattern string such as {@code https://example.com/:id}, or a relative one
     * @param baseURL the URL relative patterns are resolved against, or null
     * @return the pattern
     * @throws IllegalArgumentException saying why the pattern is not well formed (naming the
     *                                  component), or that a relative pattern has no base URL
     */
    public static UrlPattern compile(String input, String baseURL) {
        if (input == null) {
            throw new IllegalArgumentException("the URL pattern is missing");
        }
        Map<String, String> init = ConstructorStringParser.parse(input, UrlPattern::protocolMatchesSpecialScheme);
        if (baseURL == null && !init.containsKey("protocol")) {
            throw new IllegalArgumentException("the URL pattern '" + input
                    + "' is relative (no scheme) and there is no base URL to resolve it against");
        }
        if (baseURL != null) {
            init.put("baseURL", baseURL);
        }
        return create(input, init);
    }

    /**
     * The standard's {@code new URLPattern(init)} for a dictionary of component patterns.
     *
     * @param init component pattern strings keyed by {@code protocol}, {@code username},
     *             {@code password}, {@code hostname}, {@code port}, {@code pathname},
     *             {@code search}, {@code hash}, and optionally a {@code baseURL}; components
     *             left out match anything (or come from the base URL)
     * @return the pattern
     * @throws IllegalArgumentException naming an unknown key, or saying why a component is not
     *                                  well formed
     */
    public static UrlPattern compile(Map<String, String> init) {
        checkInit(init);
        return create(init.toString(), new HashMap<>(init));
    }

    private static void checkInit(Map<String, String> init) {
        for (Map.Entry<String, String> e : init.entrySet()) {
            if (!INIT_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("'" + e.getKey() + "' is not a URL pattern component (one of "
                        + COMPONENTS + " or baseURL)");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("the URL pattern's " + e.getKey() + " is null");
            }
        }
    }

    /**
     * {@link #compile(String, String)} with the hub's URL as the base, shared among callers: the
     * same pattern and hub give the same instance while it is cached.
     *
     * @param pattern the pattern string, absolute or relative to the hub's URL
     * @param hub     the hub's URL
     * @return the compiled pattern
     * @throws IllegalArgumentException saying why the pattern is not well formed, or that it is
     *                                  empty or longer than {@link #MAX_LENGTH}
     */
    public static UrlPattern cached(String pattern, URI hub) {
        String key = hub + "\n" + pattern;
        UrlPattern p = CACHE.get(key);
        if (p == null) {
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("the URL pattern is empty");
            }
            if (pattern.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("the URL pattern is longer than " + MAX_LENGTH + " characters");
            }
            p = compile(pattern, hub.toString());
            if (CACHE.size() >= CACHE_SIZE) {
                CACHE.clear(); // bounded: patterns come from clients
            }
            UrlPattern raced = CACHE.putIfAbsent(key, p);
            p = raced == null ? p : raced;
        }
        return p;
    }

    /** The standard's "create" from an init dictionary of pattern strings (type "pattern"). */
    private static UrlPattern create(String text, Map<String, String> init) {
        Map<String, String> processed = processInit(init, true);
        for (String name : COMPONENTS) {
            processed.putIfAbsent(name, "*");
        }
        String protocol = processed.get("protocol");
        Integer defaultPort = WhatwgUrl.isSpecialScheme(protocol) ? WhatwgUrl.defaultPort(protocol) : null;
        if (defaultPort != null && processed.get("port").equals(defaultPort.toString())) {
            processed.put("port", "");
        }
        Component[] c = new Component[8];
        c[0] = component("protocol", processed.get("protocol"), WhatwgUrl::canonicalizeProtocol, Options.DEFAULT);
        c[1] = component("username", processed.get("username"), WhatwgUrl::canonicalizeUsername, Options.DEFAULT);
        c[2] = component("password", processed.get("password"), WhatwgUrl::canonicalizePassword, Options.DEFAULT);
        String hostname = processed.get("hostname");
        c[3] = component("hostname", hostname, isIpv6(hostname) ? WhatwgUrl::canonicalizeIpv6Hostname
                : WhatwgUrl::canonicalizeHostname, Options.HOSTNAME);
        c[4] = component("port", processed.get("port"), v -> WhatwgUrl.canonicalizePort(v, null), Options.DEFAULT);
        if (matchesSpecialScheme(c[0])) {
            c[5] = component("pathname", processed.get("pathname"), WhatwgUrl::canonicalizePathname, Options.PATHNAME);
        } else {
            c[5] = component("pathname", processed.get("pathname"), WhatwgUrl::canonicalizeOpaquePathname,
                    Options.DEFAULT);
        }
        c[6] = component("search", processed.get("search"), WhatwgUrl::canonicalizeSearch, Options.DEFAULT);
        c[7] = component("hash", processed.get("hash"), WhatwgUrl::canonicalizeHash, Options.DEFAULT);
        return new UrlPattern(text, c);
    }

    private static boolean isIpv6(String hostname) {
        return hostname.length() >= 2 && (hostname.charAt(0) == '['
                || (hostname.charAt(0) == '{' || hostname.charAt(0) == '\\') && hostname.charAt(1) == '[');
    }

    private static boolean protocolMatchesSpecialScheme(String protocolPattern) {
        return matchesSpecialScheme(component("protocol", protocolPattern, WhatwgUrl::canonicalizeProtocol,
                Options.DEFAULT));
    }

    private static boolean matchesSpecialScheme(Component protocol) {
        for (String scheme : SPECIAL_SCHEMES) {
            if (protocol.matches(scheme)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The standard's "compile a component", with RE2/J for the regular expression.
     *
     * @throws IllegalArgumentException naming the component and saying what is wrong
     */
    private static Component component(String name, String input, UnaryOperator<String> encoding, Options options) {
        List<Part> parts;
        try {
            parts = PatternParser.parse(input, options, encoding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the URL pattern's " + name + " '" + input + "' is not well formed: "
                    + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>();
        String regexpString = PatternParser.regularExpression(parts, options, names);
        Pattern regexp;
        try {
            regexp = Pattern.compile(EcmaRegExp.toRe2(regexpString));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the URL pattern's " + name + " '" + input + "' has a regexp group "
                    + "that cannot be used: " + e.getMessage(), e);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("the URL pattern's " + name + " '" + input + "' has a regexp group "
                    + "that is not a valid regular expression: " + e.getDescription(), e);
        }
        boolean hasRegexpGroups = parts.stream().anyMatch(p -> p.type() == PartType.REGEXP);
        String fixed = null;
        if (parts.isEmpty()) {
            fixed = "";
        } else if (parts.size() == 1 && parts.get(0).type() == PartType.FIXED_TEXT
                && parts.get(0).modifier() == Modifier.NONE) {
            fixed = parts.get(0).value();
        }
        boolean any = parts.size() == 1 && parts.get(0).type() == PartType.FULL_WILDCARD
                && parts.get(0).prefix().isEmpty() && parts.get(0).suffix().isEmpty()
                && parts.get(0).modifier() == Modifier.NONE;
        // ECMAScript refuses an empty iteration of a quantified group: "(x*)?" leaves its group
        // undefined where RE2 reports "". Only the groups exec reports differ; test() does not.
        Set<String> emptyIsUndefined = new java.util.HashSet<>();
        for (Part p : parts) {
            if (p.type() != PartType.FIXED_TEXT && p.modifier() == Modifier.OPTIONAL && p.prefix().isEmpty()
                    && p.suffix().isEmpty()) {
                emptyIsUndefined.add(p.name());
            }
        }
        // Text every match starts with: a leading fixed-text part without a modifier.
        String literalPrefix = !parts.isEmpty() && parts.get(0).type() == PartType.FIXED_TEXT
                && parts.get(0).modifier() == Modifier.NONE ? parts.get(0).value() : "";
        return new Component(PatternParser.patternString(parts, options), regexp, List.copyOf(names),
                hasRegexpGroups, fixed, any, literalPrefix, Set.copyOf(emptyIsUndefined));
    }

    /**
     * The standard's "process a URLPatternInit".
     *
     * @param pattern type "pattern" (pattern strings, escaped base URL parts) rather than "url"
     *                (values, canonicalized)
     */
    private static Map<String, String> processInit(Map<String, String> init, boolean pattern) {
        Map<String, String> result = new HashMap<>();
        if (!pattern) {
            for (String name : COMPONENTS) {
                result.put(name, "");
            }
        }
        WhatwgUrl baseURL = null;
        if (init.containsKey("baseURL")) {
            baseURL = WhatwgUrl.parse(init.get("baseURL")).orElseThrow(() -> new IllegalArgumentException(
                    "the base URL '" + init.get("baseURL") + "' is not a URL"));
            boolean has = init.containsKey("protocol");
            if (!has) {
                result.put("protocol", base(baseURL.scheme(), pattern));
            }
            if (!pattern && !has && !init.containsKey("hostname") && !init.containsKey("port")
                    && !init.containsKey("username")) {
                result.put("username", base(baseURL.username(), pattern));
            }
            if (!pattern && !has && !init.containsKey("hostname") && !init.containsKey("port")
                    && !init.containsKey("username") && !init.containsKey("password")) {
                result.put("password", base(baseURL.password(), pattern));
            }
            has = has || init.containsKey("hostname");
            if (!has) {
                result.put("hostname", base(baseURL.host() == null ? "" : baseURL.host(), pattern));
            }
            has = has || init.containsKey("port");
            if (!has) {
                result.put("port", baseURL.port() == null ? "" : baseURL.port().toString());
            }
            has = has || init.containsKey("pathname");
            if (!has) {
                result.put("pathname", base(baseURL.path(), pattern));
            }
            has = has || init.containsKey("search");
            if (!has) {
                result.put("search", base(baseURL.query() == null ? "" : baseURL.query(), pattern));
            }
            has = has || init.containsKey("hash");
            if (!has) {
                result.put("hash", base(baseURL.fragment() == null ? "" : baseURL.fragment(), pattern));
            }
        }
        if (init.containsKey("protocol")) {
            String value = init.get("protocol");
            value = value.endsWith(":") ? value.substring(0, value.length() - 1) : value;
            result.put("protocol", pattern ? value : WhatwgUrl.canonicalizeProtocol(value));
        }
        if (init.containsKey("username")) {
            result.put("username", pattern ? init.get("username") : WhatwgUrl.canonicalizeUsername(init.get("username")));
        }
        if (init.containsKey("password")) {
            result.put("password", pattern ? init.get("password") : WhatwgUrl.canonicalizePassword(init.get("password")));
        }
        if (init.containsKey("hostname")) {
            result.put("hostname", pattern ? init.get("hostname") : WhatwgUrl.canonicalizeHostname(init.get("hostname")));
        }
        String protocol = result.getOrDefault("protocol", "");
        if (init.containsKey("port")) {
            result.put("port", pattern ? init.get("port") : WhatwgUrl.canonicalizePort(init.get("port"), protocol));
        }
        if (init.containsKey("pathname")) {
            String pathname = init.get("pathname");
            if (baseURL != null && !baseURL.hasOpaquePath() && !isAbsolutePathname(pathname, pattern)) {
                String basePath = base(baseURL.path(), pattern);
                int slash = basePath.lastIndexOf('/');
                if (slash >= 0) {
                    pathname = basePath.substring(0, slash + 1) + pathname;
                }
            }
            if (!pattern) {
                pathname = protocol.isEmpty() || WhatwgUrl.isSpecialScheme(protocol)
                        ? WhatwgUrl.canonicalizePathname(pathname) : WhatwgUrl.canonicalizeOpaquePathname(pathname);
            }
            result.put("pathname", pathname);
        }
        if (init.containsKey("search")) {
            String value = init.get("search");
            value = value.startsWith("?") ? value.substring(1) : value;
            result.put("search", pattern ? value : WhatwgUrl.canonicalizeSearch(value));
        }
        if (init.containsKey("hash")) {
            String value = init.get("hash");
            value = value.startsWith("#") ? value.substring(1) : value;
            result.put("hash", pattern ? value : WhatwgUrl.canonicalizeHash(value));
        }
        return result;
    }

    /** The standard's "process a base URL string": base URL parts are text, not pattern syntax. */
    private static String base(String input, boolean pattern) {
        return pattern ? PatternParser.escapePatternString(input) : input;
    }

    private static boolean isAbsolutePathname(String input, boolean pattern) {
        if (input.isEmpty()) {
            return false;
        }
        if (input.charAt(0) == '/') {
            return true;
        }
        if (!pattern || input.length() < 2) {
            return false;
        }
        return (input.charAt(0) == '\\' || input.charAt(0) == '{') && input.charAt(1) == '/';
    }

    // ---------------------------------------------------------------- matching

    /**
     * The standard's {@code test(input, baseURL)}.
     *
     * @param input   a URL, absolute or relative to {@code baseURL}
     * @param baseURL the base URL, or null
     * @return whether the pattern matches; false when {@code input} or {@code baseURL} does not parse
     */
    public boolean test(String input, String baseURL) {
        String[] values = values(input, baseURL);
        return values != null && matchAll(values);
    }

    /**
     * The standard's {@code test(input)} for a dictionary of component values.
     *
     * @param input component values keyed like {@link #compile(Map)}'s, optionally with a
     *              {@code baseURL} supplying the ones left out
     * @return whether the pattern matches; false when a value cannot be canonicalized
     * @throws IllegalArgumentException naming an unknown key
     */
    public boolean test(Map<String, String> input) {
        String[] values = values(input);
        return values != null && matchAll(values);
    }

    /**
     * The standard's {@code exec(input, baseURL)}, reduced to the groups.
     *
     * @return for each component name, its groups (name to value, null for a group that took no
     *         part in the match); empty when the pattern does not match
     */
    public Optional<Map<String, Map<String, String>>> exec(String input, String baseURL) {
        return groups(values(input, baseURL));
    }

    /**
     * The standard's {@code exec(input)} for a dictionary of component values, reduced to the groups.
     *
     * @return as {@link #exec(String, String)}
     * @throws IllegalArgumentException naming an unknown key
     */
    public Optional<Map<String, Map<String, String>>> exec(Map<String, String> input) {
        return groups(values(input));
    }

    private Optional<Map<String, Map<String, String>>> groups(String[] values) {
        if (values == null || !matchAll(values)) {
            return Optional.empty();
        }
        Map<String, Map<String, String>> result = new LinkedHashMap<>();
        for (int k = 0; k < 8; k++) {
            Matcher m = components[k].regexp().matcher(values[k]);
            m.matches();
            Map<String, String> groups = new LinkedHashMap<>();
            List<String> names = components[k].names();
            // As the standard: groups by position, named from the name list; a named group inside a
            // user's regexp takes a position too and is not reported.
            for (int g = 1; g <= Math.min(m.groupCount(), names.size()); g++) {
                String value = m.group(g);
                String name = names.get(g - 1);
                groups.put(name, "".equals(value) && components[k].emptyIsUndefined().contains(name) ? null : value);
            }
            result.put(COMPONENTS.get(k), Collections.unmodifiableMap(groups));
        }
        return Optional.of(Collections.unmodifiableMap(result));
    }

    /** @return the topic's component values, parsed once per thread for the patterns asked in a row */
    private static String[] parsed(String topic, String base) {
        Parsed parsed = LAST_PARSED.get();
        if (parsed == null || !parsed.topic().equals(topic) || !parsed.base().equals(base)) {
            parsed = new Parsed(topic, base, values(topic, base));
            LAST_PARSED.set(parsed);
        }
        return parsed.values();
    }

    private boolean matchAll(String[] values) {
        for (int k = 0; k < 8; k++) {
            if (!components[k].matches(values[k])) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the URL's host as patterns compare it: in lower case for every scheme. Mercure keeps
     *         host components case-insensitive; the URL parser lowers special schemes' hosts only,
     *         while a pattern's hostname is always canonicalized as a domain (lower case).
     */
    private static String hostname(WhatwgUrl url) {
        String host = url.host();
        if (host == null) {
            return "";
        }
        if (WhatwgUrl.isSpecialScheme(url.scheme())) {
            return host;
        }
        StringBuilder lower = new StringBuilder(host.length());
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            lower.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return lower.toString();
    }

    /** @return the eight component values of {@code input} parsed against {@code baseURL}, or null */
    private static String[] values(String input, String baseURL) {
        WhatwgUrl base = null;
        if (baseURL != null) {
            base = WhatwgUrl.parse(baseURL).orElse(null);
            if (base == null) {
                return null;
            }
        }
        WhatwgUrl url = WhatwgUrl.parse(input, base).orElse(null);
        if (url == null) {
            return null;
        }
        return new String[] {url.scheme(), url.username(), url.password(), hostname(url),
            url.port() == null ? "" : url.port().toString(), url.path(), url.query() == null ? "" : url.query(),
            url.fragment() == null ? "" : url.fragment()};
    }

    private static String[] values(Map<String, String> input) {
        checkInit(input);
        Map<String, String> applied;
        try {
            applied = processInit(input, false);
        } catch (IllegalArgumentException e) {
            return null; // a value that cannot be canonicalized matches nothing
        }
        String[] values = new String[8];
        for (int k = 0; k < 8; k++) {
            values[k] = applied.get(COMPONENTS.get(k));
        }
        return values;
    }

    /**
     * {@link #test(String, String)} as the hub asks it: the topic against this pattern, relative
     * topics resolved against the hub's URL. The topic is parsed once per thread for all the
     * patterns asked in a row, and the last answer is remembered.
     *
     * @param topic a topic, absolute or relative
     * @param hub   the hub's URL
     * @return whether the topic matches; false for a topic that does not parse as a URL
     */
    public boolean matches(String topic, URI hub) {
        String base = hub.toString();
        Memo m = last;
        if (m != null && m.topic().equals(topic) && m.base().equals(base)) {
            return m.result();
        }
        String[] values = parsed(topic, base);
        boolean result = values != null && matchAll(values);
        last = new Memo(topic, base, result);
        return result;
    }

    /**
     * A prefix of the {@link #screenKey} of every topic this pattern matches: the protocol, hostname
     * and port when all three are fixed text, and the pathname's leading fixed text. Lets a hub skip
     * the patterns a topic cannot match without asking each (see {@code ScreenedMatcher.Screen}).
     *
     * @return the prefix; empty when the pattern leaves protocol, hostname or port open
     */
    public String screenPrefix() {
        Component protocol = components[0];
        Component hostname = components[3];
        Component port = components[4];
        Component pathname = components[5];
        if (protocol.fixed() == null || hostname.fixed() == null || port.fixed() == null
                || !WhatwgUrl.isSpecialScheme(protocol.fixed())) {
            return "";
        }
        String path = pathname.any() ? "" : pathname.fixed() != null ? pathname.fixed() : pathname.literalPrefix();
        return protocol.fixed() + "://" + hostname.fixed() + ":" + port.fixed() + path;
    }

    /**
     * The key {@link #screenPrefix} is compared with: protocol, hostname, port and pathname of the
     * topic parsed as {@link #matches} parses it ({@code "protocol://hostname:port/path"}).
     *
     * @param topic a topic, absolute or relative
     * @param hub   the hub's URL
     * @return the key, or null for a topic that does not parse as a URL (no pattern matches it)
     */
    public static String screenKey(String topic, URI hub) {
        String[] v = parsed(topic, hub.toString());
        return v == null ? null : v[0] + "://" + v[3] + ":" + v[4] + v[5];
    }

    // ---------------------------------------------------------------- the standard's getters

    /** @return the normalized protocol pattern string */
    public String protocol() {
        return components[0].patternString();
    }

    /** @return the normalized username pattern string */
    public String username() {
        return components[1].patternString();
    }

    /** @return the normalized password pattern string */
    public String password() {
        return components[2].patternString();
    }

    /** @return the normalized hostname pattern string */
    public String hostname() {
        return components[3].patternString();
    }

    /** @return the normalized port pattern string */
    public String port() {
        return components[4].patternString();
    }

    /** @return the normalized pathname pattern string */
    public String pathname() {
        return components[5].patternString();
    }

    /** @return the normalized search pattern string */
    public String search() {
        return components[6].patternString();
    }

    /** @return the normalized hash pattern string */
    public String hash() {
        return components[7].patternString();
    }

    /** @return whether a component holds a regexp group {@code (…)} (the standard's "has regexp groups") */
    public boolean hasRegExpGroups() {
        for (Component c : components) {
            if (c.hasRegexpGroups()) {
                return true;
            }
        }
        return false;
    }

    /** @return the pattern as given */
    @Override
    public String toString() {
        return text;
    }
}
