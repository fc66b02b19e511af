package dev.ssekit.testsupport;

import java.util.List;

/**
 * Data and comments that containers' SSE writers have changed or dropped on the way: blank lines
 * inside data (RESTEasy merged them), empty data (Jersey wrote no {@code data:} line), leading and
 * trailing line breaks, lone CR, CRLF, and characters outside the BMP.
 */
public final class WireCases {
    /** Event data, each published as one event. */
    public static final List<String> DATA = List.of(
            "a\n\nb",
            "\n\n",
            "\n",
            "",
            "\nleading",
            "trailing\n",
            "lone\rcr\r\rtwice",
            "crlf\r\nline\r\n\r\nend\r\n",
            "non-BMP \ud83d\udc22 \u20ac\n\n\ud83d\ude00");

    /** Comment texts, each sent as one comment event. */
    public static final List<String> COMMENTS = List.of("multi\nline", "a\n\nb\n", "", "cr\rand\r\ncrlf");

    private WireCases() {
    }

    /**
     * What a WHATWG event-stream parser gives back for data published as {@code published}: the same
     * text, with every line break (CRLF, CR) as LF, since the format has no other.
     */
    public static String parsed(String published) {
        return published.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** @return {@code published} with its line breaks visible, for assertion messages */
    public static String show(String published) {
        return published.replace("\r", "\\r").replace("\n", "\\n");
    }
}
