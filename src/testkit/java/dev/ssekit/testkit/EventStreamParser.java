package dev.ssekit.testkit;


import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The WHATWG "interpret an event stream" rules, fed bytes in chunks of any size. Not API: used by
 * {@link dev.ssekit.testkit.SseRecorder} and ssekit's own byte-level tests.
 *
 * <p>Lines end at CR, LF or CRLF (a CRLF split between two chunks counts once). Lines are decoded as
 * UTF-8 only when complete, so a chunk may end inside a multi-byte character; CR and LF never occur
 * inside one. One leading byte order mark is ignored. Not thread-safe: one reader feeds it.
 */
public final class EventStreamParser {
    /** Receives what the stream holds, in order, on the feeding thread. */
    public interface Handler {
        /** A dispatched event (a blank line after at least one {@code data} field). */
        void event(ReceivedEvent event);

        /**
         * A comment line (starting with a colon), without the colon and one following space. The
         * standard ignores comments; a test may want to see heartbeats.
         */
        default void comment(String text) {
        }

        /** A valid {@code retry} field: the reconnection time, in milliseconds. */
        default void retry(long millis) {
        }
    }

    private final Handler handler;
    private byte[] line = new byte[128];
    private int lineLength;
    private boolean afterCr;
    private boolean firstLine = true;
    private final StringBuilder data = new StringBuilder();
    private String type = "";
    private String lastEventIdBuffer = "";
    private String lastEventId = "";
    private Long blockRetry;

    /**
     * @param handler receives events, comments and retry values
     * @throws NullPointerException if {@code handler} is null
     */
    public EventStreamParser(Handler handler) {
        if (handler == null) {
            throw new NullPointerException("handler must not be null");
        }
        this.handler = handler;
    }

    /** Consumes every remaining byte of {@code bytes}. */
    public void feed(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            byte b = bytes.get();
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue; // the LF of a CRLF whose CR ended the line already
                }
            }
            if (b == '\r') {
                afterCr = true;
                endLine();
            } else if (b == '\n') {
                endLine();
            } else {
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = b;
            }
        }
    }

    /** Consumes {@code length} bytes of {@code bytes} from {@code offset}. */
    public void feed(byte[] bytes, int offset, int length) {
        feed(ByteBuffer.wrap(bytes, offset, length));
    }

    /**
     * @return true if nothing is pending: no incomplete line and no fields waiting for the blank line
     *         that dispatches them. At the end of a stream, pending input is discarded by the rules.
     */
    public boolean idle() {
        return lineLength == 0 && data.length() == 0 && type.isEmpty() && blockRetry == null
                && lastEventIdBuffer.equals(lastEventId);
    }

    /** @return the last event ID string, as an {@code EventSource} would send it on reconnection */
    public String lastEventId() {
        return lastEventId;
    }

    private void endLine() {
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (firstLine) {
            firstLine = false;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            handler.comment(text.startsWith(": ") ? text.substring(2) : text.substring(1));
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> type = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventIdBuffer = value;
                }
            }
            case "retry" -> retry(value);
            default -> {
                // the standard ignores unknown fields
            }
        }
    }

    private void retry(String value) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return; // the standard ignores a retry that is not all ASCII digits
        }
        try {
            long millis = Long.parseLong(value);
            blockRetry = millis;
            handler.retry(millis);
        } catch (NumberFormatException tooLarge) {
            // more digits than a long holds: no reconnection time to set, so the field is ignored
        }
    }

    private void dispatch() {
        lastEventId = lastEventIdBuffer;
        Long retry = blockRetry;
        blockRetry = null;
        if (data.length() == 0) {
            type = "";
            return;
        }
        String text = data.substring(0, data.length() - 1);
        ReceivedEvent event = new ReceivedEvent(lastEventId.isEmpty() ? null : lastEventId,
                type.isEmpty() ? null : type, text, retry);
        data.setLength(0);
        type = "";
        handler.event(event);
    }
}
