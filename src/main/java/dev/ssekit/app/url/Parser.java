package dev.ssekit.app.url;

/**
 * The URL Standard's basic URL parser: one state machine over the input's code points, written to
 * follow the standard's steps one for one, its states named as the standard names them.
 */
final class Parser {
    /** The parser's states; each may also be a state override. */
    enum State {
        SCHEME_START, SCHEME, NO_SCHEME, SPECIAL_RELATIVE_OR_AUTHORITY, PATH_OR_AUTHORITY, RELATIVE,
        RELATIVE_SLASH, SPECIAL_AUTHORITY_SLASHES, SPECIAL_AUTHORITY_IGNORE_SLASHES, AUTHORITY, HOST,
        HOSTNAME, PORT, FILE, FILE_SLASH, FILE_HOST, PATH_START, PATH, OPAQUE_PATH, QUERY, FRAGMENT
    }

    private static final int EOF = -1;

    private final int[] input;
    private final UrlRecord base;
    private final UrlRecord url;
    private final State override;
    private State state;
    private int pointer;
    private final StringBuilder buffer = new StringBuilder();
    // The fragment's encoded code points, added to the URL's fragment at the end of the input.
    private final StringBuilder fragment = new StringBuilder();
    private boolean atSignSeen;
    private boolean insideBrackets;
    private boolean passwordTokenSeen;

    private Parser(int[] input, UrlRecord base, UrlRecord url, State override) {
        this.input = input;
        this.base = base;
        this.url = url;
        this.override = override;
        this.state = override != null ? override : State.SCHEME_START;
    }

    /** Parses without a URL or state override: the new URL record, or null on failure. */
    static UrlRecord parse(String input, UrlRecord base) {
        UrlRecord url = new UrlRecord();
        String trimmed = trimC0ControlOrSpace(input);
        return run(trimmed, base, url, null) ? url : null;
    }

    /**
     * Runs the parser on {@code url} with a state override (the standard's setters); returns
     * false on the standard's failure. {@code url} may have been changed either way, as in the
     * standard.
     */
    static boolean parse(String input, UrlRecord url, State override) {
        return run(input, null, url, override);
    }

    private static boolean run(String input, UrlRecord base, UrlRecord url, State override) {
        int[] cps = toScalarValues(input).codePoints()
                .filter(cp -> cp != '\t' && cp != '\n' && cp != '\r')
                .toArray();
        return new Parser(cps, base, url, override).run();
    }

    /** Unpaired surrogates are not scalar values: U+FFFD instead, as for a JavaScript USVString. */
    static String toScalarValues(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean paired = Character.isHighSurrogate(ch) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(ch).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(ch)) {
                if (out == null) {
                    out = new StringBuilder(s.substring(0, i));
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(ch);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String trimC0ControlOrSpace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) <= 0x20) {
            start++;
        }
        while (end > start && s.charAt(end - 1) <= 0x20) {
            end--;
        }
        return s.substring(start, end);
    }

    private int c() {
        return pointer >= 0 && pointer < input.length ? input[pointer] : EOF;
    }

    /** The code point {@code offset} after the pointer, or EOF. */
    private int remaining(int offset) {
        int i = pointer + offset;
        return i >= 0 && i < input.length ? input[i] : EOF;
    }

    private boolean run() {
        for (pointer = 0;; pointer++) {
            Boolean result = step(c());
            if (result != null) {
                return result;
            }
            if (pointer >= input.length) {
                return true;
            }
        }
    }

    /** One run of the state machine: null to go on, true to return (the URL), false on failure. */
    private Boolean step(int c) {
        switch (state) {
            case SCHEME_START:
                if (isAsciiAlpha(c)) {
                    buffer.append((char) Character.toLowerCase(c));
                    state = State.SCHEME;
                } else if (override == null) {
                    state = State.NO_SCHEME;
                    pointer--;
                } else {
                    return false;
                }
                return null;
            case SCHEME:
                return scheme(c);
            case NO_SCHEME:
                if (base == null || (base.opaquePath != null && c != '#')) {
                    return false;
                } else if (base.opaquePath != null) {
                    url.scheme = base.scheme;
                    url.path = new java.util.ArrayList<>(base.path);
                    url.opaquePath = new StringBuilder(base.opaquePath);
                    url.query = base.query;
                    url.fragment = "";
                    state = State.FRAGMENT;
                } else {
                    state = base.scheme.equals("file") ? State.FILE : State.RELATIVE;
                    pointer--;
                }
                return null;
            case SPECIAL_RELATIVE_OR_AUTHORITY:
                if (c == '/' && remaining(1) == '/') {
                    state = State.SPECIAL_AUTHORITY_IGNORE_SLASHES;
                    pointer++;
                } else {
                    state = State.RELATIVE;
                    pointer--;
                }
                return null;
            case PATH_OR_AUTHORITY:
                if (c == '/') {
                    state = State.AUTHORITY;
                } else {
                    state = State.PATH;
                    pointer--;
                }
                return null;
            case RELATIVE:
                relative(c);
                return null;
            case RELATIVE_SLASH:
                if (url.isSpecial() && (c == '/' || c == '\\')) {
                    state = State.SPECIAL_AUTHORITY_IGNORE_SLASHES;
                } else if (c == '/') {
                    state = State.AUTHORITY;
                } else {
                    url.username = base.username;
                    url.password = base.password;
                    url.host = base.host;
                    url.port = base.port;
                    state = State.PATH;
                    pointer--;
                }
                return null;
            case SPECIAL_AUTHORITY_SLASHES:
                if (c == '/' && remaining(1) == '/') {
                    pointer++;
                } else {
                    pointer--;
                }
                state = State.SPECIAL_AUTHORITY_IGNORE_SLASHES;
                return null;
            case SPECIAL_AUTHORITY_IGNORE_SLASHES:
                if (c != '/' && c != '\\') {
                    state = State.AUTHORITY;
                    pointer--;
                }
                return null;
            case AUTHORITY:
                return authority(c);
            case HOST:
            case HOSTNAME:
                return host(c);
            case PORT:
                return port(c);
            case FILE:
                file(c);
                return null;
            case FILE_SLASH:
                fileSlash(c);
                return null;
            case FILE_HOST:
                return fileHost(c);
            case PATH_START:
                pathStart(c);
                return null;
            case PATH:
                path(c);
                return null;
            case OPAQUE_PATH:
                opaquePath(c);
                return null;
            case QUERY:
                query(c);
                return null;
            case FRAGMENT:
                if (c != EOF) {
                    PercentEncoding.FRAGMENT.encode(c, fragment);
                } else {
                    url.fragment = url.fragment + fragment;
                    fragment.setLength(0);
                }
                return null;
            default:
                throw new AssertionError(state);
        }
    }

    private Boolean scheme(int c) {
        if (isAsciiAlphanumeric(c) || c == '+' || c == '-' || c == '.') {
            buffer.append((char) Character.toLowerCase(c));
            return null;
        }
        if (c == ':') {
            String candidate = buffer.toString();
            if (override != null) {
                if (url.isSpecial() != WhatwgUrl.isSpecialScheme(candidate)) {
                    return true;
                }
                if ((url.includesCredentials() || url.port != null) && candidate.equals("file")) {
                    return true;
                }
                if (url.scheme.equals("file") && "".equals(url.host)) {
                    return true;
                }
            }
            url.scheme = candidate;
            if (override != null) {
                if (url.port != null && url.port.equals(WhatwgUrl.defaultPort(url.scheme))) {
                    url.port = null;
                }
                return true;
            }
            buffer.setLength(0);
            if (url.scheme.equals("file")) {
                state = State.FILE;
            } else if (url.isSpecial() && base != null && base.scheme.equals(url.scheme)) {
                state = State.SPECIAL_RELATIVE_OR_AUTHORITY;
            } else if (url.isSpecial()) {
                state = State.SPECIAL_AUTHORITY_SLASHES;
            } else if (remaining(1) == '/') {
                state = State.PATH_OR_AUTHORITY;
                pointer++;
            } else {
                url.opaquePath = new StringBuilder();
                state = State.OPAQUE_PATH;
            }
            return null;
        }
        if (override == null) {
            buffer.setLength(0);
            state = State.NO_SCHEME;
            pointer = -1;
            return null;
        }
        return false;
    }

    private void relative(int c) {
        url.scheme = base.scheme;
        if (c == '/') {
            state = State.RELATIVE_SLASH;
        } else if (url.isSpecial() && c == '\\') {
            state = State.RELATIVE_SLASH;
        } else {
            url.username = base.username;
            url.password = base.password;
            url.host = base.host;
            url.port = base.port;
            url.path = new java.util.ArrayList<>(base.path);
            url.query = base.query;
            if (c == '?') {
                url.query = "";
                state = State.QUERY;
            } else if (c == '#') {
                url.fragment = "";
                state = State.FRAGMENT;
            } else if (c != EOF) {
                url.query = null;
                url.shortenPath();
                state = State.PATH;
                pointer--;
            }
        }
    }

    private Boolean authority(int c) {
        if (c == '@') {
            if (atSignSeen) {
                buffer.insert(0, "%40");
            }
            atSignSeen = true;
            StringBuilder username = new StringBuilder(url.username);
            StringBuilder password = new StringBuilder(url.password);
            String b = buffer.toString();
            for (int i = 0; i < b.length();) {
                int cp = b.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == ':' && !passwordTokenSeen) {
                    passwordTokenSeen = true;
                    continue;
                }
                PercentEncoding.USERINFO.encode(cp, passwordTokenSeen ? password : username);
            }
            url.username = username.toString();
            url.password = password.toString();
            buffer.setLength(0);
        } else if (c == EOF || c == '/' || c == '?' || c == '#' || (url.isSpecial() && c == '\\')) {
            if (atSignSeen && buffer.length() == 0) {
                return false;
            }
            pointer -= buffer.codePointCount(0, buffer.length()) + 1;
            buffer.setLength(0);
            state = State.HOST;
        } else {
            buffer.appendCodePoint(c);
        }
        return null;
    }

    private Boolean host(int c) {
        if (override != null && url.scheme.equals("file")) {
            pointer--;
            state = State.FILE_HOST;
        } else if (c == ':' && !insideBrackets) {
            if (buffer.length() == 0) {
                return false;
            }
            if (override == State.HOSTNAME) {
                return false;
            }
            String host = Hosts.parse(buffer.toString(), !url.isSpecial());
            if (host == null) {
                return false;
            }
            url.host = host;
            buffer.setLength(0);
            state = State.PORT;
        } else if (c == EOF || c == '/' || c == '?' || c == '#' || (url.isSpecial() && c == '\\')) {
            pointer--;
            if (url.isSpecial() && buffer.length() == 0) {
                return false;
            } else if (override != null && buffer.length() == 0 && (url.includesCredentials() || url.port != null)) {
                return false;
            }
            String host = Hosts.parse(buffer.toString(), !url.isSpecial());
            if (host == null) {
                return false;
            }
            url.host = host;
            buffer.setLength(0);
            state = State.PATH_START;
            if (override != null) {
                return true;
            }
        } else {
            if (c == '[') {
                insideBrackets = true;
            }
            if (c == ']') {
                insideBrackets = false;
            }
            buffer.appendCodePoint(c);
        }
        return null;
    }

    private Boolean port(int c) {
        if (c >= '0' && c <= '9') {
            buffer.append((char) c);
        } else if (c == EOF || c == '/' || c == '?' || c == '#' || (url.isSpecial() && c == '\\')
                || override != null) {
            if (buffer.length() != 0) {
                int port = 0;
                for (int i = 0; i < buffer.length(); i++) {
                    port = port * 10 + buffer.charAt(i) - '0';
                    if (port > 65535) {
                        return false;
                    }
                }
                Integer defaultPort = WhatwgUrl.defaultPort(url.scheme);
                url.port = defaultPort != null && defaultPort == port ? null : port;
                buffer.setLength(0);
                if (override != null) {
                    return true;
                }
            }
            if (override != null) {
                return false;
            }
            state = State.PATH_START;
            pointer--;
        } else {
            return false;
        }
        return null;
    }

    private void file(int c) {
        url.scheme = "file";
        url.host = "";
        if (c == '/' || c == '\\') {
            state = State.FILE_SLASH;
        } else if (base != null && base.scheme.equals("file")) {
            url.host = base.host;
            url.path = new java.util.ArrayList<>(base.path);
            url.query = base.query;
            if (c == '?') {
                url.query = "";
                state = State.QUERY;
            } else if (c == '#') {
                url.fragment = "";
                state = State.FRAGMENT;
            } else if (c != EOF) {
                url.query = null;
                if (!startsWithWindowsDriveLetter(pointer)) {
                    url.shortenPath();
                } else {
                    url.path = new java.util.ArrayList<>();
                }
                state = State.PATH;
                pointer--;
            }
        } else {
            state = State.PATH;
            pointer--;
        }
    }

    private void fileSlash(int c) {
        if (c == '/' || c == '\\') {
            state = State.FILE_HOST;
        } else {
            if (base != null && base.scheme.equals("file")) {
                url.host = base.host;
                if (!startsWithWindowsDriveLetter(pointer) && !base.path.isEmpty()
                        && isNormalizedWindowsDriveLetter(base.path.get(0))) {
                    url.path.add(base.path.get(0));
                }
            }
            state = State.PATH;
            pointer--;
        }
    }

    private Boolean fileHost(int c) {
        if (c == EOF || c == '/' || c == '\\' || c == '?' || c == '#') {
            pointer--;
            if (override == null && isWindowsDriveLetter(buffer)) {
                state = State.PATH;
            } else if (buffer.length() == 0) {
                url.host = "";
                if (override != null) {
                    return true;
                }
                state = State.PATH_START;
            } else {
                String host = Hosts.parse(buffer.toString(), !url.isSpecial());
                if (host == null) {
                    return false;
                }
                if (host.equals("localhost")) {
                    host = "";
                }
                url.host = host;
                if (override != null) {
                    return true;
                }
                buffer.setLength(0);
                state = State.PATH_START;
            }
        } else {
            buffer.appendCodePoint(c);
        }
        return null;
    }

    private void pathStart(int c) {
        if (url.isSpecial()) {
            state = State.PATH;
            if (c != '/' && c != '\\') {
                pointer--;
            }
        } else if (override == null && c == '?') {
            url.query = "";
            state = State.QUERY;
        } else if (override == null && c == '#') {
            url.fragment = "";
            state = State.FRAGMENT;
        } else if (c != EOF) {
            state = State.PATH;
            if (c != '/') {
                pointer--;
            }
        } else if (override != null && url.host == null) {
            url.path.add("");
        }
    }

    private void path(int c) {
        boolean slash = c == '/' || (url.isSpecial() && c == '\\');
        if (c == EOF || slash || (override == null && (c == '?' || c == '#'))) {
            String segment = buffer.toString();
            if (isDoubleDot(segment)) {
                url.shortenPath();
                if (!slash) {
                    url.path.add("");
                }
            } else if (isSingleDot(segment) && !slash) {
                url.path.add("");
            } else if (!isSingleDot(segment)) {
                if (url.scheme.equals("file") && url.path.isEmpty() && isWindowsDriveLetter(segment)) {
                    segment = segment.charAt(0) + ":";
                }
                url.path.add(segment);
            }
            buffer.setLength(0);
            if (c == '?') {
                url.query = "";
                state = State.QUERY;
            }
            if (c == '#') {
                url.fragment = "";
                state = State.FRAGMENT;
            }
        } else {
            PercentEncoding.PATH.encode(c, buffer);
        }
    }

    private void opaquePath(int c) {
        if (c == '?') {
            url.query = "";
            state = State.QUERY;
        } else if (c == '#') {
            url.fragment = "";
            state = State.FRAGMENT;
        } else if (c == ' ') {
            int next = remaining(1);
            url.opaquePath.append(next == '?' || next == '#' ? "%20" : " ");
        } else if (c != EOF) {
            PercentEncoding.C0_CONTROL.encode(c, url.opaquePath);
        }
    }

    private void query(int c) {
        if ((override == null && c == '#') || c == EOF) {
            PercentEncoding set = url.isSpecial() ? PercentEncoding.SPECIAL_QUERY : PercentEncoding.QUERY;
            url.query = url.query + set.encode(buffer.toString());
            buffer.setLength(0);
            if (c == '#') {
                url.fragment = "";
                state = State.FRAGMENT;
            }
        } else if (c != EOF) {
            buffer.appendCodePoint(c);
        }
    }

    private boolean startsWithWindowsDriveLetter(int from) {
        int length = input.length - from;
        if (length < 2 || !isAsciiAlpha(input[from]) || (input[from + 1] != ':' && input[from + 1] != '|')) {
            return false;
        }
        if (length == 2) {
            return true;
        }
        int third = input[from + 2];
        return third == '/' || third == '\\' || third == '?' || third == '#';
    }

    static boolean isWindowsDriveLetter(CharSequence s) {
        return s.length() == 2 && isAsciiAlpha(s.charAt(0)) && (s.charAt(1) == ':' || s.charAt(1) == '|');
    }

    static boolean isNormalizedWindowsDriveLetter(CharSequence s) {
        return isWindowsDriveLetter(s) && s.charAt(1) == ':';
    }

    private static boolean isSingleDot(String s) {
        return s.equals(".") || s.equalsIgnoreCase("%2e");
    }

    private static boolean isDoubleDot(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "..", ".%2e", "%2e.", "%2e%2e":
                return true;
            default:
                return false;
        }
    }

    private static boolean isAsciiAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiAlphanumeric(int c) {
        return isAsciiAlpha(c) || (c >= '0' && c <= '9');
    }
}
