package dev.ssekit.bench;

/**
 * The event both sides publish: about 200 bytes of JSON with a sequence number and the
 * {@link System#nanoTime()} of the publish, which the client (another JVM on the same machine, where
 * the monotonic clock is shared) subtracts from its own to get the latency.
 */
public class Payload {
    /** A filler that brings the JSON to about 200 bytes. */
    static final String ITEM = "Widget, blue, 12 x 4 cm; warehouse B-17, shelf 3; ships in 2 days; gift wrap: no; order notes: leave at the back door";

    public long seq;
    public long sent;
    public String item;
    public int qty;
    public double price;
    public boolean ok;

    public Payload() {
    }

    Payload(long seq) {
        this(seq, ITEM);
    }

    /** With {@code item} as the filler: the stalled-clients scenario's 16 KB events. */
    Payload(long seq, String item) {
        this.seq = seq;
        this.item = item;
        this.qty = 2;
        this.price = 19.95;
        this.ok = true;
        this.sent = System.nanoTime();
    }
}
