package dev.ssekit.internal.wire;

import dev.ssekit.Event;
import dev.ssekit.testsupport.WireCases;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bytes ssekit frames, and the form a container's own writer is given, checked on buffers. */
class FrameWriterTest {
    private static final Annotation[] NONE = new Annotation[0];
    private final FrameWriter writer = new FrameWriter();

    private String written(FramedEvent event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(event, event.getClass(), OutboundSseEvent.class, NONE, MediaType.SERVER_SENT_EVENTS_TYPE,
                null, out);
        assertEquals(event.frameLength(), out.size());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writeTo_writesTheEventsWireFormatExactly() throws Exception {
        for (String data : WireCases.DATA) {
            Event e = Event.of(data).withType("t").withId("7").withRetry(Duration.ofMillis(1500));
            assertEquals(e.toWireFormat(), written(EncodedEvent.of(e)), WireCases.show(data));
        }
        for (String comment : WireCases.COMMENTS) {
            assertEquals(Event.comment(comment).toWireFormat(), written(EncodedEvent.of(Event.comment(comment))));
        }
        assertEquals("data: a\ndata: \ndata: b\n\n", written(EncodedEvent.of(Event.of("a\n\nb"))));
        assertEquals("data: \n\n", written(EncodedEvent.of(Event.of(""))));
    }

    @Test
    void writeTo_retryHintHasNoDataLine() throws Exception {
        assertEquals(": closing\nretry: 3000\n\n", written(new RetryHint(Duration.ofSeconds(3))));
    }

    @Test
    void isWriteable_onlySsekitsOwnEventsOnAnEventStream() {
        assertTrue(writer.isWriteable(EncodedEvent.class, OutboundSseEvent.class, NONE,
                MediaType.SERVER_SENT_EVENTS_TYPE));
        assertTrue(writer.isWriteable(RetryHint.class, OutboundSseEvent.class, NONE, MediaType.SERVER_SENT_EVENTS_TYPE));
        assertFalse(writer.isWriteable(OutboundSseEvent.class, OutboundSseEvent.class, NONE,
                MediaType.SERVER_SENT_EVENTS_TYPE), "users' own events keep the container's writer");
        assertFalse(writer.isWriteable(EncodedEvent.class, EncodedEvent.class, NONE, MediaType.APPLICATION_JSON_TYPE));
    }

    @Test
    void containerForm_plainFieldsWhenEveryLineSurvivesAWriterThatMergesLineBreaks() {
        EncodedEvent e = EncodedEvent.of(Event.of("\nx\r\ny").withId("1").withType("t"));
        assertEquals(byte[].class, e.getType());
        assertArrayEquals("\nx\ny".getBytes(StandardCharsets.UTF_8), e.getData());
        assertNull(e.getComment());
        assertEquals("1", e.getId());
        assertEquals("t", e.getName());

        EncodedEvent empty = EncodedEvent.of(Event.of(""));
        assertEquals(byte[].class, empty.getType(), "RESTEasy writes an empty data: line itself");
        assertEquals(0, ((byte[]) empty.getData()).length);

        EncodedEvent comment = EncodedEvent.of(Event.comment("a\n\nb"));
        assertNull(comment.getType());
        assertEquals("a\n\nb", comment.getComment());
    }

    @Test
    void containerForm_commentChannelWhenALineWouldBeLost() {
        EncodedEvent blank = EncodedEvent.of(Event.of("a\n\nb").withId("9").withType("t")
                .withRetry(Duration.ofMillis(20)));
        assertNull(blank.getType(), "no fields of the writer's own");
        assertEquals("\revent: t\rid: 9\rretry: 20\rdata: a\rdata: \rdata: b", blank.getComment());
        assertEquals("9", blank.getId(), "ssekit still reads the id");
        assertArrayEquals("a\n\nb".getBytes(StandardCharsets.UTF_8), blank.getData());

        assertEquals("\rdata: x\rdata: ", EncodedEvent.of(Event.of("x\r")).getComment(), "a trailing line break");
        assertEquals("a\r: ", EncodedEvent.of(Event.comment("a\n")).getComment(), "a trailing empty comment line");

        RetryHint hint = new RetryHint(Duration.ofSeconds(3));
        assertNull(hint.getType());
        assertNull(hint.getData());
        assertEquals("closing\rretry: 3000", hint.getComment());
    }

    @Test
    void of_encodesOncePerEvent() {
        EncodedEvent e = EncodedEvent.of(Event.of("x".repeat(1000)));
        assertTrue(e.getData() == e.getData(), "the same bytes for every connection");
        assertEquals(1000 + "data: \n\n".length(), e.frameLength());
    }
}
