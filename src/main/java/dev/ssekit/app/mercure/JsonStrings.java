package dev.ssekit.app.mercure;

/** JSON text for the hub's small documents (discovery, subscriptions), which need no JSON library. */
public final class JsonStrings {
    private JsonStrings() {
    }

    /** @return {@code s} as a JSON string literal, quotes, backslashes and control characters escaped */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
