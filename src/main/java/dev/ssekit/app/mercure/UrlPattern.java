package dev.ssekit.app.mercure;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A URL Pattern (WHATWG URL Pattern Standard) used as a Mercure topic matcher: a pattern string
 * such as {@code https://example.com/books/:id} or {@code /.well-known/mercure/subscriptions/:t{/*}?},
 * relative ones resolved against the hub's URL, matched against topics resolved the same way.
 *
 * <p>Supported syntax, per component: fixed text, {@code :name} (one segment: no {@code /} in the
 * pathname, no {@code .} in the hostname), {@code :name(regexp)} and {@code (regexp)}, {@code *},
 * groups {@code {…}}, the modifiers {@code ?}, {@code *} and {@code +}, and {@code \} escapes; in the
 * pathname a {@code /} just before a part is that part's prefix ({@code /:id?} also matches no
 * segment). Components the string leaves out are wildcards, except the port once a host is given.
 * {@code ignoreCase} is never on; host names compare in lower case.
 *
 * <p>Every component compiles to an RE2/J expression, whose matching takes time linear in the
 * topic's length whatever the pattern (user regexps included): no crafted pattern can backtrack.
 * Immutable and thread-safe.
 */
public final class UrlPattern {
    /** The longest pattern accepted, in characters. */
    public static final int MAX_LENGTH = 2048;

    /** Patterns compiled once and shared: subscribers often give the same one. */
    private static final int CACHE_SIZE = 10_000;
    private static final java.util.concurrent.ConcurrentHashMap<String, UrlPattern> CACHE =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** The topic parsed last on this thread: a publish asks every subscriber's patterns about the same topic. */
    private static final ThreadLocal<Parsed> LAST_PARSED = new ThreadLocal<>();

    private final String text;
    // protocol, username, password, hostname, port, pathname, search, hash: a null pattern matches
    // anything, a non-null fixed text is compared as it is; otherwise the pattern decides.
    private final Pattern[] components;
    private final String[] fixed;
    // The literal text every match of a regexp component starts with: a cheap test first.
    private final String[] literalPrefix;
    // The last answer, for the many subscribers sharing this pattern during one publish.
    private volatile Memo last;

    private record Memo(String topic, URI base, boolean result) {
    }

    private record Parsed(String topic, URI base, String[] values) {
    }

    private UrlPattern(String text, Pattern[] components, String[] fixed, String[] literalPrefix) {
        this.text = text;
        this.components = components;
        this.fixed = fixed;
        this.literalPrefix = literalPrefix;
    }

    /**
     * {@link #compile}, sharing one instance per pattern and base among callers.
     *
     * @throws IllegalArgumentException saying why the pattern is not well formed
     */
    public static UrlPattern cached(String pattern, URI base) {
        String key = base + "\n" + pattern;
        UrlPattern p = CACHE.get(key);
        if (p == null) {
            p = compile(pattern, base);
            if (CACHE.size() >= CACHE_SIZE) {
                CACHE.clear(); // bounded: patterns come from clients
            }
            UrlPattern raced = CACHE.putIfAbsent(key, p);
            p = raced == null ? p : raced;
        }
        return p;
    }

    /**
     * @param pattern the pattern string, absolute or relative
     * @param base    the hub's URL, for relative patterns
     * @return the compiled pattern
     * @throws IllegalArgumentException saying why the pattern is not well formed
     */
    public static UrlPattern compile(String pattern, URI base) {
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("the URL pattern is empty");
        }
        if (pattern.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the URL pattern is longer than " + MAX_LENGTH + " characters");
        }
        String[] parts = new String[8];
        int pathStart;
        int scheme = schemeEnd(pattern);
        if (scheme > 0) {
            parts[0] = pattern.substring(0, scheme);
            int authorityEnd = find(pattern, scheme + 3, "/?#", false);
            authority(pattern.substring(scheme + 3, authorityEnd), parts);
            pathStart = authorityEnd;
            parts[5] = "";
        } else {
            // Relative: the hub's scheme, host and port; the path resolved against the hub's path.
            parts[0] = base.getScheme();
            parts[3] = escape(base.getHost().toLowerCase(Locale.ROOT));
            parts[4] = base.getPort() == -1 || base.getPort() == defaultPort(base.getScheme()) ? ""
                    : Integer.toString(base.getPort());
            pathStart = 0;
            if (!pattern.startsWith("/")) {
                String basePath = base.getRawPath() == null ? "/" : base.getRawPath();
                parts[5] = escape(basePath.substring(0, basePath.lastIndexOf('/') + 1));
            } else {
                parts[5] = "";
            }
        }
        int searchAt = find(pattern, pathStart, "?#", true);
        parts[5] = parts[5] + pattern.substring(pathStart, searchAt);
        if (parts[5].isEmpty()) {
            parts[5] = "/";
        }
        if (searchAt < pattern.length() && pattern.charAt(searchAt) == '?') {
            int hashAt = find(pattern, searchAt + 1, "#", true);
            parts[6] = pattern.substring(searchAt + 1, hashAt);
            parts[7] = hashAt < pattern.length() ? pattern.substring(hashAt + 1) : "*";
        } else if (searchAt < pattern.length()) {
            parts[6] = "*";
            parts[7] = pattern.substring(searchAt + 1);
        } else {
            parts[6] = "*";
            parts[7] = "*";
        }
        Pattern[] compiled = new Pattern[8];
        String[] fixedText = new String[8];
        String[] prefixes = new String[8];
        String[] names = {"protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"};
        for (int i = 0; i < 8; i++) {
            String p = parts[i] == null ? "*" : parts[i];
            if (p.equals("*")) {
                continue; // matches anything: nothing to evaluate
            }
            if (p.chars().noneMatch(c -> "\\:*(){}?+".indexOf(c) >= 0)) {
                fixedText[i] = p;
                continue;
            }
            prefixes[i] = literalPrefix(p, i == 5);
            char delimiter = i == 5 ? '/' : i == 3 ? '.' : 0;
            try {
                compiled[i] = Pattern.compile("^(?:" + new Compiler(p, delimiter, i == 5).regex() + ")$",
                        Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("the URL pattern's " + names[i] + " has a bad regular expression: "
                        + e.getDescription());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the URL pattern's " + names[i] + ": " + e.getMessage());
            }
        }
        return new UrlPattern(pattern, compiled, fixedText, prefixes);
    }

    /**
     * @return the fixed text before the first part, group or escape; in a pathname without the
     *         {@code /} that is the next part's prefix (which an optional part makes optional)
     */
    private static String literalPrefix(String p, boolean pathname) {
        int end = 0;
        while (end < p.length() && "\\:*(){}?+".indexOf(p.charAt(end)) < 0) {
            end++;
        }
        if (pathname && end > 0 && end < p.length() && p.charAt(end - 1) == '/' && "{:(*".indexOf(p.charAt(end)) >= 0) {
            end--;
        }
        return p.substring(0, end);
    }

    /** @return the index of "://" ending a scheme (a pattern scheme may hold {@code {s}?}), or -1 */
    private static int schemeEnd(String pattern) {
        int at = pattern.indexOf("://");
        if (at <= 0) {
            return -1;
        }
        String scheme = pattern.substring(0, at);
        return scheme.matches("[A-Za-z][A-Za-z0-9+.\\-{}?*()]*") ? at : -1;
    }

    private static void authority(String authority, String[] parts) {
        int at = authority.lastIndexOf('@');
        String host = authority;
        parts[1] = "*";
        parts[2] = "*";
        if (at >= 0) {
            String user = authority.substring(0, at);
            host = authority.substring(at + 1);
            int colon = user.indexOf(':');
            parts[1] = colon < 0 ? user : user.substring(0, colon);
            parts[2] = colon < 0 ? "*" : user.substring(colon + 1);
        }
        // A port is what follows the last ':' when it is digits or a pattern of its own (not a :name
        // in the host, which is followed by letters before any dot).
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && !host.startsWith("[") && host.substring(colon + 1).matches("[0-9]*|\\*|\\(.*\\)")) {
            parts[4] = host.substring(colon + 1);
            host = host.substring(0, colon);
        } else {
            parts[4] = "";
        }
        parts[3] = host.toLowerCase(Locale.ROOT);
    }

    /** @return the first index at or after {@code from} of one of {@code stops} outside groups, or the end */
    private static int find(String s, int from, String stops, boolean questionCanModify) {
        int depthBrace = 0;
        int depthParen = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == '(') {
                depthParen++;
            } else if (c == ')') {
                depthParen--;
            } else if (depthParen > 0) {
                continue;
            } else if (c == '{') {
                depthBrace++;
            } else if (c == '}') {
                depthBrace--;
            } else if (depthBrace == 0 && stops.indexOf(c) >= 0) {
                if (c == '?' && questionCanModify && i > from && modifiable(s, i)) {
                    continue; // a modifier, not the start of the search
                }
                return i;
            }
        }
        return s.length();
    }

    /** @return whether the {@code ?} at {@code i} follows a part it modifies: {@code }}, {@code )}, {@code *} or a {@code :name} */
    private static boolean modifiable(String s, int i) {
        char prev = s.charAt(i - 1);
        if (prev == '}' || prev == ')' || prev == '*') {
            return true;
        }
        int j = i - 1;
        while (j >= 0 && isNameChar(s.charAt(j))) {
            j--;
        }
        return j < i - 1 && j >= 0 && s.charAt(j) == ':';
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static int defaultPort(String scheme) {
        return switch (scheme == null ? "" : scheme.toLowerCase(Locale.ROOT)) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            case "ftp" -> 21;
            default -> -1;
        };
    }

    private static String escape(String fixed) {
        StringBuilder out = new StringBuilder();
        for (char c : fixed.toCharArray()) {
            if ("\\:*(){}?+".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * @param topic a topic, absolute or relative
     * @param base  the hub's URL, against which a relative topic is resolved
     * @return whether the topic matches; false for a topic that is not a URL reference
     */
    public boolean matches(String topic, URI base) {
        Memo m = last;
        if (m != null && m.topic().equals(topic) && m.base().equals(base)) {
            return m.result();
        }
        boolean result = evaluate(topic, base);
        last = new Memo(topic, base, result);
        return result;
    }

    private boolean evaluate(String topic, URI base) {
        String[] values = parse(topic, base);
        if (values == null) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            if (fixed[i] != null ? !fixed[i].equals(values[i])
                    : components[i] != null && (!values[i].startsWith(literalPrefix[i])
                    || !components[i].matches(values[i]))) {
                return false;
            }
        }
        return true;
    }

    /** @return the topic's eight components, or null if it is not a URL reference */
    private static String[] parse(String topic, URI base) {
        Parsed cached = LAST_PARSED.get();
        if (cached != null && cached.topic().equals(topic) && cached.base().equals(base)) {
            return cached.values();
        }
        String[] values = components(topic, base);
        LAST_PARSED.set(new Parsed(topic, base, values));
        return values;
    }

    private static String[] components(String topic, URI base) {
        URI u;
        try {
            u = base.resolve(new URI(topic));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        if (u.getScheme() == null) {
            return null;
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        String user = "";
        String password = "";
        String info = u.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = colon < 0 ? info : info.substring(0, colon);
            password = colon < 0 ? "" : info.substring(colon + 1);
        }
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        String port = u.getPort() == -1 || u.getPort() == defaultPort(scheme) ? "" : Integer.toString(u.getPort());
        String path = u.isOpaque() ? u.getRawSchemeSpecificPart() : u.getRawPath() == null || u.getRawPath().isEmpty()
                ? (host.isEmpty() ? "" : "/") : u.getRawPath();
        String query = u.getRawQuery() == null ? "" : u.getRawQuery();
        String fragment = u.getRawFragment() == null ? "" : u.getRawFragment();
        return new String[] {scheme, user, password, host, port, path, query, fragment};
    }

    @Override
    public String toString() {
        return text;
    }

    /** Turns one component's pattern into a regular expression, part by part. */
    private static final class Compiler {
        private final String p;
        private final char delimiter;
        private final boolean pathname;
        private int i;

        Compiler(String p, char delimiter, boolean pathname) {
            this.p = p;
            this.delimiter = delimiter;
            this.pathname = pathname;
        }

        String regex() {
            String out = sequence(false);
            if (i < p.length()) {
                throw new IllegalArgumentException("unbalanced '}' at " + i);
            }
            return out;
        }

        private String segment() {
            return delimiter == 0 ? ".+?" : "[^" + Pattern.quote(String.valueOf(delimiter)) + "]+?";
        }

        /** @return the regexp of parts until the end, or until a '}' when inside a group */
        private String sequence(boolean inGroup) {
            StringBuilder out = new StringBuilder();
            while (i < p.length()) {
                char c = p.charAt(i);
                if (c == '}') {
                    if (!inGroup) {
                        throw new IllegalArgumentException("unbalanced '}' at " + i);
                    }
                    return out.toString();
                }
                if (c == '{') {
                    i++;
                    String inner = sequence(true);
                    if (i >= p.length()) {
                        throw new IllegalArgumentException("unclosed '{'");
                    }
                    i++;
                    out.append(modify("(?:" + inner + ")", ""));
                    continue;
                }
                String prefix = "";
                if (pathname && c == '/' && i + 1 < p.length() && startsPart(p.charAt(i + 1))) {
                    prefix = "/";
                    i++;
                    c = p.charAt(i);
                }
                if (c == ':' && i + 1 < p.length() && isNameStart(p.charAt(i + 1))) {
                    i++;
                    while (i < p.length() && isNameChar(p.charAt(i))) {
                        i++;
                    }
                    String r = i < p.length() && p.charAt(i) == '(' ? group() : segment();
                    out.append(modify("(" + r + ")", prefix));
                } else if (c == '(') {
                    out.append(modify("(" + group() + ")", prefix));
                } else if (c == '*') {
                    i++;
                    out.append(modify("(.*)", prefix));
                } else {
                    out.append(Pattern.quote(prefix));
                    if (c == '\\') {
                        if (i + 1 >= p.length()) {
                            throw new IllegalArgumentException("a trailing '\\' escapes nothing");
                        }
                        i++;
                        c = p.charAt(i);
                    } else if (c == '?' || c == '+' || c == ')') {
                        throw new IllegalArgumentException("'" + c + "' at " + i + " modifies nothing");
                    }
                    out.append(Pattern.quote(String.valueOf(c)));
                    i++;
                }
            }
            if (inGroup) {
                throw new IllegalArgumentException("unclosed '{'");
            }
            return out.toString();
        }

        private boolean startsPart(char c) {
            return c == ':' || c == '(' || c == '*';
        }

        private static boolean isNameStart(char c) {
            return Character.isLetter(c) || c == '_' || c == '$';
        }

        /** @return the regexp inside a {@code (…)} at {@code i}, moving past it */
        private String group() {
            int depth = 0;
            int start = i + 1;
            for (; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    String r = p.substring(start, i);
                    i++;
                    if (r.isEmpty()) {
                        throw new IllegalArgumentException("an empty regexp group '()'");
                    }
                    // Groups inside a part's regexp must not capture (as the standard requires).
                    return r;
                }
            }
            throw new IllegalArgumentException("unclosed '('");
        }

        /** Applies a following modifier to a part with its prefix. */
        private String modify(String part, String prefix) {
            String pre = Pattern.quote(prefix);
            if (prefix.isEmpty()) {
                pre = "";
            }
            char m = i < p.length() ? p.charAt(i) : 0;
            switch (m) {
                case '?':
                    i++;
                    return "(?:" + pre + part + ")?";
                case '*':
                    i++;
                    return "(?:" + pre + part + ")*";
                case '+':
                    i++;
                    return "(?:" + pre + part + ")+";
                default:
                    return pre + part;
            }
        }
    }
}
