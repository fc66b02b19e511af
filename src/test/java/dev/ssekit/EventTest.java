package dev.ssekit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventTest {
    @Test
    void toWireFormat_allFieldsInDocumentedOrder() {
        Event e = Event.of("Hello, World!").withRetry(Duration.ofSeconds(3)).withId("msg-1").withType("greeting");
        assertEquals("event: greeting\nid: msg-1\nretry: 3000\ndata: Hello, World!\n\n", e.toWireFormat());
    }

    @Test
    void toWireFormat_whatwgExampleMultiLineData() {
        // The WHATWG spec's example: two data lines make one event with an LF between them.
        assertEquals("data: YHOO\ndata: +2\ndata: 10\n\n", Event.of("YHOO\n+2\n10").toWireFormat());
    }

    @Test
    void toWireFormat_splitsOnCrlfLfAndCr() {
        assertEquals("data: a\ndata: b\ndata: c\ndata: d\n\n", Event.of("a\r\nb\nc\rd").toWireFormat());
    }

    @Test
    void toWireFormat_trailingAndDoubleBreaksKeepEmptyLines() {
        assertEquals("data: a\ndata: \n\n", Event.of("a\n").toWireFormat());
        assertEquals("data: \ndata: \ndata: \n\n", Event.of("\r\n\r").toWireFormat());
    }

    @Test
    void toWireFormat_emptyDataStillYieldsAnEvent() {
        assertEquals("data: \n\n", Event.of("").toWireFormat());
    }

    @Test
    void toWireFormat_unicodeUnchanged() {
        assertEquals("data: żółw 🐢 中文\n\n", Event.of("żółw 🐢 中文").toWireFormat());
    }

    @Test
    void comment_isCommentLines() {
        assertEquals(": keep-alive\n\n", Event.comment("keep-alive").toWireFormat());
        assertEquals(": \n\n", Event.comment("").toWireFormat());
    }

    @Test
    void comment_lineBreaksCannotInjectAnEvent() {
        Event e = Event.comment("x\n\ndata: forged\r\rid: 9");
        assertEquals(": x\n: \n: data: forged\n: \n: id: 9\n\n", e.toWireFormat());
    }

    @Test
    void data_lineBreaksCannotInjectFields() {
        // Every line of data becomes a data line: "id: 9" stays data.
        assertEquals("data: x\ndata: id: 9\ndata: \ndata: data: y\n\n", Event.of("x\rid: 9\r\n\ndata: y").toWireFormat());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "a\0b", "\n", "evil\n\ndata: forged"})
    void withId_refusesLineBreaksAndNul(String id) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Event.of("x").withId(id));
        assertTrue(e.getMessage().startsWith("id must not contain CR, LF or NUL, got \""), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\nb", "a\rb", "a\r\nb", "a\0b", "x\n\nevent: forged"})
    void withType_refusesLineBreaksAndNul(String type) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Event.of("x").withType(type));
        assertTrue(e.getMessage().startsWith("type must not contain CR, LF or NUL, got \""), e.getMessage());
    }

    @Test
    void withId_messageQuotesTheValueEscaped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Event.of("x").withId("a\r\nb"));
        assertEquals("id must not contain CR, LF or NUL, got \"a\\r\\nb\"", e.getMessage());
    }

    @Test
    void emptyAndNull_refusedNamingTheField() {
        assertEquals("id must not be empty",
                assertThrows(IllegalArgumentException.class, () -> Event.of("x").withId("")).getMessage());
        assertEquals("type must not be empty",
                assertThrows(IllegalArgumentException.class, () -> Event.of("x").withType("")).getMessage());
        assertEquals("data must not be null",
                assertThrows(IllegalArgumentException.class, () -> Event.of(null)).getMessage());
        assertEquals("comment must not be null",
                assertThrows(IllegalArgumentException.class, () -> Event.comment(null)).getMessage());
        assertEquals("retry must not be negative, got PT-0.001S",
                assertThrows(IllegalArgumentException.class,
                        () -> Event.of("x").withRetry(Duration.ofMillis(-1))).getMessage());
        // Accepted and stored before, then every fan-out and replay that included it failed.
        assertEquals("retry must be at most 9223372036854775807 ms, got PT2562047788015215H30M7S",
                assertThrows(IllegalArgumentException.class,
                        () -> Event.of("x").withRetry(Duration.ofSeconds(Long.MAX_VALUE))).getMessage());
        assertEquals(Event.MAX_RETRY, Event.of("x").withRetry(Event.MAX_RETRY).retry().orElseThrow());
    }

    @Test
    void comment_hasNoMessageFields() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Event.comment("c").withId("1"));
        assertEquals("a comment event has no id; use Event.of(data)", e.getMessage());
    }

    @Test
    void withers_returnNewImmutableValues() {
        Event base = Event.of("d");
        Event typed = base.withType("t");
        assertFalse(base.type().isPresent());
        assertEquals("t", typed.type().orElseThrow());
        assertEquals(Event.of("d").withType("t"), typed);
        assertEquals("Event{type=\"t\", data=\"d\"}", typed.toString());
    }
}
