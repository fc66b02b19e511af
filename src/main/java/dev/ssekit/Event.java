package dev.ssekit;

import dev.ssekit.internal.Checks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Server-Sent Event: an immutable value, checked when it is made.
 *
 * <p>A message event has data (possibly empty) and optionally a type, an id and a retry hint:
 * <pre>{@code
 * Event e = Event.of("Order #123 shipped").withType("notification").withId("notif-456");
 * }</pre>
 * A comment event ({@link #comment(String)}) carries only a comment; clients ignore it, and it keeps
 * idle connections and the proxies in front of them alive.
 *
 * <h2>Wire format</h2>
 * {@link #toWireFormat()} gives the exact text of the event stream (WHATWG HTML, "Server-sent
 * events"), in this documented and stable field order:
 * <ol>
 *   <li>one {@code ": "} line per comment line,</li>
 *   <li>{@code "event: "} with the type,</li>
 *   <li>{@code "id: "} with the id,</li>
 *   <li>{@code "retry: "} with the retry hint in milliseconds,</li>
 *   <li>one {@code "data: "} line per line of data: data is split on CRLF, LF and CR, so empty data
 *   is one empty {@code data:} line and still yields an event,</li>
 *   <li>a blank line that ends the event.</li>
 * </ol>
 * Lines end with LF. A type or id containing CR, LF or NUL is refused, so no event can forge
 * another field or event.
 *
 * <h2>On a connection</h2>
 * ssekit frames the event itself, so that an EventSource parser gives back exactly the data, type,
 * id and retry hint that were set: data with empty lines, leading or trailing line breaks, or none
 * at all arrives as it was sent. A CR or CRLF in data arrives as LF, the only line break an event
 * stream can carry. This needs {@link SseKitFeature} registered in the JAX-RS application (or its
 * providers found by scanning). Checked on Jersey 3.1 (the embedded hub, Payara 6) and RESTEasy 6.2
 * (WildFly 39):
 * <ul>
 *   <li>Jersey writes the bytes of {@link #toWireFormat()} as they are, then one LF of its own (an
 *   empty line, which dispatches nothing).</li>
 *   <li>RESTEasy always frames events with its own writer, which merges consecutive line breaks in
 *   data. An event whose data has an empty line after the first, or ends with a line break, is
 *   therefore given to it as one comment holding the event's lines with CR as the line break, which
 *   a parser reads as the same fields: {@code Event.of("a\n\nb")} is written as
 *   {@code ": \rdata: a\rdata: \rdata: b\n\n"}. Every other event is written as
 *   {@link #toWireFormat()} gives it.</li>
 * </ul>
 */
public final class Event {
    /** The longest reconnection delay an event may carry: {@code Long.MAX_VALUE} milliseconds. */
    public static final Duration MAX_RETRY = Duration.ofMillis(Long.MAX_VALUE);

    private final String data;
    private final String type;
    private final String id;
    private final Duration retry;
    private final String comment;

    private Event(String data, String type, String id, Duration retry, String comment) {
        this.data = data;
        this.type = type;
        this.id = id;
        this.retry = retry;
        this.comment = comment;
    }

    /**
     * A message event with the given data.
     *
     * @param data the payload; may be empty, and may span several lines (CRLF, LF or CR)
     * @return the event, without type, id or retry
     * @throws IllegalArgumentException if {@code data} is null
     */
    public static Event of(String data) {
        return new Event(Checks.notNull(data, "data"), null, null, null, null);
    }

    /**
     * A comment event: written as {@code ": text"} lines, ignored by clients.
     *
     * @param text the comment; several lines (CRLF, LF or CR) become several comment lines
     * @return the comment event
     * @throws IllegalArgumentException if {@code text} is null
     */
    public static Event comment(String text) {
        return new Event(null, null, null, null, Checks.notNull(text, "comment"));
    }

    /**
     * This event with an event type: the client dispatches it to listeners of that type.
     *
     * @param type the type, one line, not empty
     * @return a copy of this event with the type
     * @throws IllegalArgumentException if {@code type} is null, empty, or holds CR, LF or NUL
     * @throws IllegalStateException if this is a comment event
     */
    public Event withType(String type) {
        requireMessage("type");
        return new Event(data, Checks.singleLine(type, "type"), id, retry, null);
    }

    /**
     * This event with an id: the client sends it back as {@code Last-Event-ID} when it reconnects.
     *
     * @param id the id, one line, not empty
     * @return a copy of this event with the id
     * @throws IllegalArgumentException if {@code id} is null, empty, or holds CR, LF or NUL
     * @throws IllegalStateException if this is a comment event
     */
    public Event withId(String id) {
        requireMessage("id");
        return new Event(data, type, Checks.singleLine(id, "id"), retry, null);
    }

    /**
     * This event with a reconnection delay hint for the client.
     *
     * @param retry how long the client should wait before reconnecting; zero or more, whole
     *              milliseconds are sent
     * @return a copy of this event with the hint
     * @throws IllegalArgumentException if {@code retry} is negative or longer than {@link #MAX_RETRY}
     * @throws IllegalStateException if this is a comment event
     */
    public Event withRetry(Duration retry) {
        requireMessage("retry");
        Checks.notNull(retry, "retry");
        if (retry.isNegative()) {
            throw new IllegalArgumentException("retry must not be negative, got " + retry);
        }
        if (retry.compareTo(MAX_RETRY) > 0) {
            // Written in milliseconds: a longer one cannot be written, and would fail every send.
            throw new IllegalArgumentException("retry must be at most " + MAX_RETRY.toMillis() + " ms, got " + retry);
        }
        return new Event(data, type, id, retry, null);
    }

    private void requireMessage(String field) {
        if (comment != null) {
            throw new IllegalStateException("a comment event has no " + field + "; use Event.of(data)");
        }
    }

    /** @return true for a comment event, false for a message event */
    public boolean isComment() {
        return comment != null;
    }

    /** @return the data as given; empty for a comment event */
    public String data() {
        return data == null ? "" : data;
    }

    /** @return the event type, if set */
    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    /** @return the id, if set */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /** @return the retry hint, if set */
    public Optional<Duration> retry() {
        return Optional.ofNullable(retry);
    }

    /** @return the comment text of a comment event, empty for a message event */
    public Optional<String> commentText() {
        return Optional.ofNullable(comment);
    }

    /**
     * The exact event-stream text of this event, in the field order documented on this class.
     *
     * @return the event as it goes on the wire, ending with a blank line
     */
    public String toWireFormat() {
        StringBuilder out = new StringBuilder(data().length() + 32);
        if (comment != null) {
            for (String line : lines(comment)) {
                out.append(": ").append(line).append('\n');
            }
            return out.append('\n').toString();
        }
        if (type != null) {
            out.append("event: ").append(type).append('\n');
        }
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        if (retry != null) {
            out.append("retry: ").append(retry.toMillis()).append('\n');
        }
        for (String line : lines(data)) {
            out.append("data: ").append(line).append('\n');
        }
        return out.append('\n').toString();
    }

    /** Splits on CRLF, LF and CR, as an event-stream parser does; "" is one empty line. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        lines.add(text.substring(start));
        return Collections.unmodifiableList(lines);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e
                && Objects.equals(data, e.data)
                && Objects.equals(type, e.type)
                && Objects.equals(id, e.id)
                && Objects.equals(retry, e.retry)
                && Objects.equals(comment, e.comment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(data, type, id, retry, comment);
    }

    /** @return the event's fields that are set, with control characters escaped */
    @Override
    public String toString() {
        if (comment != null) {
            return "Event{comment=" + Checks.quote(comment) + "}";
        }
        StringBuilder out = new StringBuilder("Event{");
        if (type != null) {
            out.append("type=").append(Checks.quote(type)).append(", ");
        }
        if (id != null) {
            out.append("id=").append(Checks.quote(id)).append(", ");
        }
        if (retry != null) {
            out.append("retry=").append(retry.toMillis()).append("ms, ");
        }
        return out.append("data=").append(Checks.quote(data)).append('}').toString();
    }
}
