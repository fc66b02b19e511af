package dev.ssekit.app.mercure;

import dev.ssekit.app.url.WhatwgUrl;

import java.net.URI;
import java.util.Optional;

/**
 * The character and namespace rules the current revision of Mercure sets on topics, matchers, ids
 * and types: no C0 or C1 control character, no DEL, no Unicode format character (category Cf, such
 * as bidirectional and zero-width controls, which enable spoofing), and no topic in the hub's own
 * namespace.
 */
public final class TopicRules {
    private TopicRules() {
    }

    /** @return why {@code value} may not be used, naming {@code field}, or null if it may */
    public static String badCharacters(String value, String field) {
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
                return field + ": must not contain control characters (U+" + String.format("%04X", cp) + " at " + i + ")";
            }
            if (Character.getType(cp) == Character.FORMAT) {
                return field + ": must not contain Unicode format characters (U+" + String.format("%04X", cp) + " at "
                        + i + ")";
            }
            if (Character.isSurrogate((char) cp)) {
                return field + ": not valid UTF-8 (a lone surrogate at " + i + ")";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /**
     * Whether a topic, resolved against the hub's URL by the WHATWG URL parser (the same parsing as
     * URL pattern matching: backslashes in special schemes, {@code %2e} dot segments, tabs and
     * newlines dropped), names the hub's path or a path below it, whatever its scheme and authority,
     * once percent-encoded unreserved characters are decoded ({@code /.well-known/%6Dercure/x} is
     * caught too).
     *
     * @return true if the topic addresses the hub's reserved namespace; false for a topic that is not
     *         a URL reference (it cannot name a hub path)
     */
    public static boolean inReservedNamespace(String topic, URI hub) {
        WhatwgUrl base = WhatwgUrl.parse(hub.toString())
                .orElseThrow(() -> new IllegalArgumentException("the hub's URL is not a URL: " + hub));
        Optional<WhatwgUrl> resolved = WhatwgUrl.parse(topic, base);
        if (resolved.isEmpty() || resolved.get().hasOpaquePath()) {
            return false;
        }
        String path = decodeUnreserved(resolved.get().path());
        String hubPath = decodeUnreserved(base.path());
        return path.equals(hubPath) || path.startsWith(hubPath.endsWith("/") ? hubPath : hubPath + "/");
    }

    /** RFC 3986 section 6.2.2.2: {@code %XX} of an unreserved character is that character. */
    private static String decodeUnreserved(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()) {
                int v = hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2));
                if (v >= 0 && (Character.isLetterOrDigit(v) && v < 0x80 || v == '-' || v == '.' || v == '_' || v == '~')) {
                    out.append((char) v);
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static int hex(char c) {
        int d = Character.digit(c, 16);
        return d < 0 ? -1000 : d;
    }
}
