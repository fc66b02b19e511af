package dev.ssekit.bench;

/**
 * The publish scenario's event data: 200 bytes of JSON carrying {@code sent} ({@link System#nanoTime()}
 * at publish) and no {@code seq}, since concurrent publishers have no common order; the client counts
 * such events without an order check.
 */
final class PubData {
    static final int SIZE = 200;
    private static final String FILL = "x".repeat(SIZE);

    private PubData() {
    }

    static String json(long sent) {
        String head = "{\"sent\":" + sent + ",\"item\":\"";
        return head + FILL.substring(0, SIZE - head.length() - 2) + "\"}";
    }
}
