package dev.ssekit.internal.wire;

import dev.ssekit.Event;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class FrameBatchTest {
    private final EncodedEvent a = EncodedEvent.of(Event.of("a").withId("1"));
    private final EncodedEvent b = EncodedEvent.of(Event.of("é\nb").withType("t"));
    private final FramedEvent batch = FrameBatch.of(List.of(a, b));

    @Test
    void handsOnEachSharedFrameWithoutCopying() throws Exception {
        List<byte[]> handed = new ArrayList<>();
        batch.forEachFrame(handed::add);
        assertEquals(2, handed.size());
        assertSame(a.frameBytes(), handed.get(0)); // the array every connection shares, not a copy
        assertSame(b.frameBytes(), handed.get(1));
    }

    @Test
    void joinsTheFramesExactlyWhereOneArrayIsNeeded() throws Exception {
        String wire = Event.of("a").withId("1").toWireFormat() + Event.of("é\nb").withType("t").toWireFormat();
        assertEquals(wire, new String(batch.frameBytes(), StandardCharsets.UTF_8));
        assertEquals(wire.getBytes(StandardCharsets.UTF_8).length, batch.frameLength());
        assertSame(batch.frameBytes(), batch.frameBytes()); // joined once
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        batch.writeFrame(out);
        assertEquals(wire, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBatchOfOneIsThatEvent() {
        assertSame(a, FrameBatch.of(List.of(a)));
    }
}
