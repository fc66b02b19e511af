package dev.ssekit.internal.wire;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The LF form handed to a container's own SSE writer, which splits lines on LF only. */
class EncodedEventTest {
    @Test
    void withLf_turnsEveryLineBreakIntoLf() {
        assertEquals("x\nid: 9\n\ndata: y", EncodedEvent.withLf("x\rid: 9\r\n\ndata: y"));
        assertEquals("x\n\ndata: forged\n\nid: 9", EncodedEvent.withLf("x\n\ndata: forged\r\rid: 9"));
        assertEquals("\n\n", EncodedEvent.withLf("\r\n\r"));
    }
}
