package dev.ssekit.testkit;


import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WHATWG event-stream rules, on in-memory buffers: each test checks the buffer was consumed. */
class EventStreamParserTest {
    /** What the parser reported, in order, as text: events, comments and retry values. */
    private final List<String> seen = new ArrayList<>();
    private final EventStreamParser parser = new EventStreamParser(new EventStreamParser.Handler() {
        @Override
        public void event(ReceivedEvent event) {
            seen.add("event " + event);
        }

        @Override
        public void comment(String text) {
            seen.add("comment " + text);
        }

        @Override
        public void retry(long millis) {
            seen.add("retry " + millis);
        }
    });

    private void feed(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        parser.feed(buffer);
        assertFalse(buffer.hasRemaining(), "the buffer must be consumed");
    }

    private void feed(String text) {
        feed(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Feeds the whole stream, then checks nothing is left pending. */
    private List<String> parse(String text) {
        feed(text);
        assertTrue(parser.idle(), "nothing pending after " + seen);
        return seen;
    }

    private static String event(String id, String type, String data) {
        return "event " + new ReceivedEvent(id, type, data, null);
    }

    @Test
    void feed_lfCrAndCrlfAllEndLines() {
        assertEquals(List.of(event(null, null, "a"), event(null, null, "b"), event(null, null, "c")),
                parse("data: a\n\ndata: b\r\rdata: c\r\n\r\n"));
    }

    @Test
    void feed_crlfSplitBetweenChunksCountsOnce() {
        feed("data: a\r");
        feed("\ndata: b\r");
        feed("\n\r");
        feed("\n");
        assertTrue(parser.idle());
        assertEquals(List.of(event(null, null, "a\nb")), seen);
    }

    @Test
    void feed_everySplitOfAStreamGivesTheSameEvents() {
        byte[] whole = ("\uFEFFid: 1\r\nevent: née\r\ndata: café ☕ 𝄞\r\n: note\r\n\r\n"
                + "data\ndata:x\n\n").getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("comment note", event("1", "née", "café ☕ 𝄞"), event("1", null, "\nx"));
        for (int a = 0; a <= whole.length; a++) {
            for (int b = a; b <= whole.length; b++) {
                seen.clear();
                EventStreamParser split = new EventStreamParser(new EventStreamParser.Handler() {
                    @Override
                    public void event(ReceivedEvent event) {
                        seen.add("event " + event);
                    }

                    @Override
                    public void comment(String text) {
                        seen.add("comment " + text);
                    }
                });
                ByteBuffer buffer = ByteBuffer.wrap(whole);
                for (int[] range : new int[][] {{0, a}, {a, b}, {b, whole.length}}) {
                    split.feed(buffer.duplicate().position(range[0]).limit(range[1]));
                }
                assertTrue(split.idle(), "split at " + a + " and " + b);
                assertEquals(expected, seen, "split at " + a + " and " + b);
            }
        }
    }

    @Test
    void feed_multiByteCharacterSplitByteByByte() {
        for (byte b : "data: ☕𝄞\n\n".getBytes(StandardCharsets.UTF_8)) {
            feed(new byte[] {b});
        }
        assertTrue(parser.idle());
        assertEquals(List.of(event(null, null, "☕𝄞")), seen);
    }

    @Test
    void feed_oneLeadingBomIsIgnoredASecondIsNot() {
        assertEquals(List.of(event(null, null, "a"), event(null, null, "b")),
                parse("\uFEFFdata: a\n\n\uFEFFdata: c\n\ndata: b\n\n"));
    }

    @Test
    void feed_bomSplitAcrossChunks() {
        byte[] bytes = "\uFEFFdata: a\n\n".getBytes(StandardCharsets.UTF_8);
        feed(new byte[] {bytes[0]});
        feed(new byte[] {bytes[1], bytes[2], bytes[3]});
        feed(java.util.Arrays.copyOfRange(bytes, 4, bytes.length));
        assertTrue(parser.idle());
        assertEquals(List.of(event(null, null, "a")), seen);
    }

    @Test
    void feed_dataWithAndWithoutTheSpace_onlyOneSpaceRemoved() {
        assertEquals(List.of(event(null, null, "a\nb\n c")), parse("data:a\ndata: b\ndata:  c\n\n"));
    }

    @Test
    void feed_emptyDataIsAnEventNoDataIsNone() {
        assertEquals(List.of(event(null, null, ""), event(null, null, ""), event(null, null, "\n")),
                parse("data\n\ndata:\n\nevent: nothing\n\ndata\ndata\n\n"));
    }

    @Test
    void feed_typeIsPerEventAndEmptyTypeIsNone() {
        assertEquals(List.of(event(null, "a", "1"), event(null, null, "2"), event(null, null, "3")),
                parse("event: a\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n"));
    }

    @Test
    void feed_unknownFieldsAndFieldNamesWithSpacesAreIgnored() {
        assertEquals(List.of(event(null, null, "x")), parse("foo: bar\ndata : no\nDATA: no\nfoo\ndata: x\n\n"));
    }

    @Test
    void feed_idCarriesOverAndEmptyIdResetsIt() {
        assertEquals(List.of(event("1", null, "a"), event("1", null, "b"), event(null, null, "c")),
                parse("id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"));
        assertEquals("", parser.lastEventId());
    }

    @Test
    void feed_idWithNulIsIgnored() {
        assertEquals(List.of(event("1", null, "a"), event("1", null, "b")),
                parse("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"));
    }

    @Test
    void feed_idWithoutDataSetsTheLastEventIdButDispatchesNothing() {
        assertEquals(List.of(), parse("id: 7\n\n"));
        assertEquals("7", parser.lastEventId());
    }

    @Test
    void feed_retryMustBeAllDigits() {
        assertEquals(List.of("retry 1500", "event " + new ReceivedEvent(null, null, "a", 1500L), "retry 0",
                        "event " + new ReceivedEvent(null, null, "b", 0L), event(null, null, "c")),
                parse("retry: 1500\ndata: a\n\nretry: 0\ndata: b\n\nretry: -1\nretry: 1.5\nretry: 2s\nretry:\n"
                        + "retry: 99999999999999999999999\ndata: c\n\n"));
    }

    @Test
    void feed_commentsAreReportedAndDispatchNothing() {
        assertEquals(List.of("comment heartbeat", "comment ", "comment  two spaces", "comment no space"),
                parse(": heartbeat\n:\n:  two spaces\n:no space\n\n"));
    }

    @Test
    void feed_incompleteEventIsPendingUntilItsBlankLine() {
        feed("data: a\ndata: b");
        assertEquals(List.of(), seen);
        assertFalse(parser.idle(), "a half line and a data buffer are pending");
        feed("\n\n");
        assertTrue(parser.idle());
        assertEquals(List.of(event(null, null, "a\nb")), seen);
    }

    @Test
    void feed_longLinesGrowTheBuffer() {
        String data = "x".repeat(100_000);
        assertEquals(List.of(event(null, null, data)), parse("data: " + data + "\n\n"));
    }
}
