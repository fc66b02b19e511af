package dev.ssekit.internal;

import java.time.Duration;

/** Eager argument checks whose messages name the bad field and quote the bad value. */
public final class Checks {
    private Checks() {
    }

    /** Returns {@code value}, or throws naming {@code field} when it is null. */
    public static <T> T notNull(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    /** Returns {@code value}, or throws when it is null, empty, or holds CR, LF or NUL. */
    public static String singleLine(String value, String field) {
        notNull(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == '\0') {
                throw new IllegalArgumentException(
                        field + " must not contain CR, LF or NUL, got " + quote(value));
            }
        }
        return value;
    }

    /** Returns {@code value}, or throws when it is null, zero or negative. */
    public static Duration positive(Duration value, String field) {
        notNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + value);
        }
        return value;
    }

    /** @return a duration as a person reads it in a message: {@code 5 s}, {@code 1500 ms} */
    public static String describe(Duration value) {
        long ms = value.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** Returns {@code value}, or throws when it is below {@code min}. */
    public static int atLeast(int value, int min, String field) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** A Java-like quoted form of {@code value} with control characters escaped, cut at 80 chars. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8).append('"');
        int shown = Math.min(value.length(), 80);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\0' -> out.append("\\0");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (shown < value.length()) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
