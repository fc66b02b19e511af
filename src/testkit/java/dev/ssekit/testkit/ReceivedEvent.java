package dev.ssekit.testkit;

/**
 * One event as an {@code EventSource} dispatches it, by the WHATWG rules.
 *
 * @param id    the last event ID as of this event (it carries over from earlier events), or null
 *              when it is empty
 * @param type  the {@code event:} field, or null when the block had none (a browser reports
 *              {@code "message"} then)
 * @param data  the {@code data:} lines joined with {@code \n}; never null, may be empty
 * @param retry the {@code retry:} value in this event's own block, or null; it is kept with the
 *              event so that a test can check what the server sent with it (a browser only
 *              updates its reconnection time)
 */
public record ReceivedEvent(String id, String type, String data, Long retry) {
    /**
     * @throws NullPointerException if {@code data} is null
     */
    public ReceivedEvent {
        if (data == null) {
            throw new NullPointerException("data must not be null; an event with no data line is never dispatched");
        }
    }

    /** @return the event with its fields quoted and line breaks escaped, for failure messages */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{id=").append(quote(id)).append(", type=").append(quote(type))
                .append(", data=").append(quote(data));
        if (retry != null) {
            s.append(", retry=").append(retry);
        }
        return s.append('}').toString();
    }

    static String quote(String text) {
        if (text == null) {
            return "null";
        }
        return '"' + text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0")
                + '"';
    }
}
