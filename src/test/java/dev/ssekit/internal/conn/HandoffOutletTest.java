package dev.ssekit.internal.conn;

import dev.ssekit.Event;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.testsupport.FakeSse;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandoffOutletTest {
    /** A container's output as the tests set it: done with the request or not, refusing a listener or not. */
    private static final class FakeOutput implements NonBlockingOutput {
        final Served served = new Served();
        boolean refuse;
        boolean ready = true;
        Listener listener;
        boolean terminated;
        boolean detachable;
        boolean ended;
        int sinkWrites; // writes through the sink that the container ran
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void whenServed(Runnable then) {
            served.then(then);
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

    /** The writer threads, run when the test says so. */
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor writers = tasks::add;

    private void runWriters() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            task.run();
        }
    }

    private static FramedEvent event(String id) {
        return EncodedEvent.of(Event.of("d").withId(id));
    }

    @Test
    void write_beforeTheRuntimeIsDone_goesThroughTheSinkBehindTheHead() {
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
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
        body.served.mark();
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
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
        body.served.mark();
        body.refuse = true;
        java.util.concurrent.atomic.AtomicInteger staysOnSink = new java.util.concurrent.atomic.AtomicInteger();
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers, staysOnSink::incrementAndGet);
        for (int i = 1; i <= 3; i++) {
            assertTrue(outlet.write(event(String.valueOf(i))).toCompletableFuture().isDone());
        }
        assertEquals(java.util.List.of("1", "2", "3"), sink.ids());
        assertEquals(1, staysOnSink.get(), "told once that the stream stays on the sink (the writers grow for it)");
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
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
        outlet.write(event("1"));
        body.served.mark();
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
        body.served.mark();
        body.detachable = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
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

    @Test
    void served_afterTheHeadIsWritten_handsOffOnTheWritersWithoutAnotherWrite() {
        // An idle stream: its ": connected" went through the sink, and nothing follows for a while.
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        body.detachable = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
        outlet.write(event("1"));
        runWriters();
        assertFalse(outlet.neverBlocks(), "no handoff while the runtime still serves the request");
        body.served.mark(); // the runtime is done, on the thread that served the request
        assertFalse(sink.isClosed(), "the request is not completed on the thread that served it");
        assertEquals(1, tasks.size(), "the handoff waits for a writer thread");
        runWriters();
        assertTrue(outlet.neverBlocks(), "handed off");
        assertTrue(sink.isClosed(), "detached: the container's request is completed");
        assertEquals(0, outlet.writes());
        outlet.write(event("2"));
        assertTrue(body.text().startsWith("id: 2\n"), body.text());
        assertEquals(List.of("1"), sink.ids());
    }

    @Test
    void served_whileTheHeadIsStillOnTheSink_handsOffOnceItsWriteCompletes() {
        GatedSink sink = new GatedSink();
        FakeOutput body = new FakeOutput();
        body.detachable = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
        CompletableFuture<?> headWrite = outlet.write(event("1")).toCompletableFuture();
        body.served.mark();
        runWriters();
        assertFalse(outlet.neverBlocks(), "no handoff under a write still on the sink");
        assertFalse(sink.closed);
        sink.sent.get(0).complete(null);
        assertTrue(headWrite.isDone());
        runWriters();
        assertTrue(outlet.neverBlocks(), "handed off once the head is written");
        assertTrue(sink.closed);
    }

    @Test
    void served_afterTheStreamEnded_handsNothingOff() {
        FakeSse.Sink sink = new FakeSse.Sink();
        FakeOutput body = new FakeOutput();
        body.detachable = true;
        HandoffOutlet outlet = new HandoffOutlet(SinkOutlet.of(sink), body, writers);
        outlet.write(event("1"));
        body.served.mark();
        outlet.end();
        runWriters();
        assertFalse(outlet.neverBlocks());
        assertTrue(body.listener == null, "the container's output was never taken");
        assertTrue(sink.isClosed(), "ended through the sink");
    }

    /** A sink whose writes complete when the test says so. */
    private static final class GatedSink implements SseEventSink {
        final List<CompletableFuture<Void>> sent = new ArrayList<>();
        volatile boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            CompletableFuture<Void> stage = new CompletableFuture<>();
            sent.add(stage);
            return stage;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
