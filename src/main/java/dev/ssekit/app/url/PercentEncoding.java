package dev.ssekit.app.url;

import java.nio.charset.StandardCharsets;

/** The URL Standard's percent-encode sets and UTF-8 percent-encoding / decoding. */
enum PercentEncoding {
    /** C0 controls and everything above U+007E. */
    C0_CONTROL(""),
    /** C0 control set and space " < > `. */
    FRAGMENT(" \"<>`"),
    /** C0 control set and space " # < >. */
    QUERY(" \"#<>"),
    /** The query set and '. */
    SPECIAL_QUERY(" \"#<>'"),
    /** The query set and ? ^ ` { }. */
    PATH(" \"#<>?^`{}"),
    /** The path set and / : ; = @ [ \ ] |. */
    USERINFO(" \"#<>?^`{}/:;=@[\\]|"),
    /** The userinfo set and $ % & + ,. */
    COMPONENT(" \"#<>?^`{}/:;=@[\\]|$%&+,");

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final boolean[] ascii = new boolean[128];

    PercentEncoding(String extra) {
        for (int i = 0; i < 0x20; i++) {
            ascii[i] = true;
        }
        ascii[0x7F] = true;
        for (char ch : extra.toCharArray()) {
            ascii[ch] = true;
        }
    }

    /** Whether the code point is in this set. */
    boolean contains(int cp) {
        return cp > 0x7E || ascii[cp];
    }

    /** UTF-8 percent-encodes one code point using this set, appending to {@code out}. */
    void encode(int cp, StringBuilder out) {
        if (!contains(cp)) {
            out.append((char) cp);
            return;
        }
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
    }

    /** UTF-8 percent-encodes a string using this set. */
    String encode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> encode(cp, out));
        return out.toString();
    }

    /** The percent-decoding of the UTF-8 encoding of {@code s}, as bytes. */
    static byte[] decode(String s) {
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out[n++] = (byte) (hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                out[n++] = in[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    static int hex(int ch) {
        if (ch >= '0' && ch <= '9') {
            return ch - '0';
        }
        if (ch >= 'a' && ch <= 'f') {
            return ch - 'a' + 10;
        }
        if (ch >= 'A' && ch <= 'F') {
            return ch - 'A' + 10;
        }
        return -1;
    }
}
