package dev.ssekit.internal.conn;

import dev.ssekit.Event;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandoffOutletTest {
    /** A container's output as the tests set it: done with the request or not, refusing a listener or not. */
    private static final class FakeOutput implements NonBlockingOutput {
        volatile boolean done;
        boolean refuse;
        boolean ready = true;
        Listener listener;
        boolean terminated;
        boolean detachable;
        boolean ended;
        int sinkWrites; // writes through the sink that the container ran
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public boolean headWritten() {
            return done;
        }

        @Override
        public void listen(Listener value) {
            if (refuse) {
                throw new IllegalStateException("Listener has already been set");
            }
            listener = value;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void write(java.util.List<byte[]> frames) {
            frames.forEach(written::writeBytes);
        }

        @Override
        public void flush() {
        }

        @Override
        public java.util.concurrent.CompletionStage<?> sinkWrite(
                java.util.function.Supplier<? extends java.util.concurrent.CompletionStage<?>> write) {
            sinkWrites++;
            return write.get();
        }

        @Override
        public boolean terminate() {
            terminated = true;
            return true;
        }

        @Override
        public java.util.Optional<Detached> detach(Runnable completeRequest) {
            if (!detachable) {
                return java.util.Optional.empty();
            }
            completeRequest.run();
            return java.util.Optional.of(() -> ended = true);
        }

        String text() {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    private static FramedEvent event(String id) {
        return EncodedEvent.of(Event.of("d").withId(id));
    }

    @Test
    void write_beforeTheRuntimeIsDone_goesThroughTheSinkBehindTheHead() {
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body);
        outlet.write(event("1"));
        outlet.write(event("2"));
        assertEquals(java.util.List.of("1", "2"), sink.ids());
        assertEquals("", body.text());
        assertEquals(0, outlet.writes());
    }

    @Test
    void write_firstWriteAlwaysThroughTheSink_evenWhenTheRuntimeIsDone() {
        // RESTEasy writes the response head only with the sink's first event.
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        body.done = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body);
        outlet.write(event("1"));
        assertEquals(java.util.List.of("1"), sink.ids());
        outlet.write(event("2"));
        assertEquals(java.util.List.of("1"), sink.ids());
        assertEquals(event("2").frameLength(), body.written.size());
        assertTrue(body.text().startsWith("id: 2\n"), body.text());
        assertEquals(1, outlet.writes());
    }

    @Test
    void write_whenTheOutputRefusesAListener_staysOnTheSink_andACutStillClosesTheConnection() {
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        body.done = true;
        body.refuse = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body);
        for (int i = 1; i <= 3; i++) {
            assertTrue(outlet.write(event(String.valueOf(i))).toCompletableFuture().isDone());
        }
        assertEquals(java.util.List.of("1", "2", "3"), sink.ids());
        // The head on the calling thread (the runtime's response filters run there), the rest where
        // the container wants the sink's writes (Undertow: its I/O thread).
        assertEquals(2, body.sinkWrites);
        assertFalse(outlet.isClosed());
        outlet.cut();
        assertTrue(body.terminated, "the container's connection is closed");
        assertFalse(sink.isClosed(), "the sink is left alone: closing it after the connection would log an error");
    }

    @Test
    void write_whileTheClientCannotTakeMore_completesWhenTheOutputSaysSo() {
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body);
        outlet.write(event("1"));
        body.done = true;
        body.ready = false;
        var stage = outlet.write(event("2")).toCompletableFuture();
        assertFalse(stage.isDone());
        body.ready = true;
        body.listener.onWritable();
        assertTrue(stage.isDone());
        assertTrue(body.text().startsWith("id: 2\n"), body.text());
    }

    @Test
    void write_whenTheOutputDetaches_closesTheSinkOnce_andTheBodyEndsTheStream() {
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        body.done = true;
        body.detachable = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body);
        outlet.write(event("1"));
        assertFalse(sink.isClosed());
        outlet.write(event("2"));
        // Closing the sink completes the container's request: it frees its request state.
        assertTrue(sink.isClosed(), "the sink is closed at the handoff");
        assertTrue(body.text().startsWith("id: 2\n"), body.text());
        assertFalse(outlet.isClosed(), "the stream goes on through the body");
        outlet.write(event("3"));
        assertEquals(java.util.List.of("1"), sink.ids());
        assertEquals(2, outlet.writes());
        outlet.end();
        assertTrue(body.ended, "the body writes the stream's end");
    }
}
