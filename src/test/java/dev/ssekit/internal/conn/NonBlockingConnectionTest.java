package dev.ssekit.internal.conn;

import dev.ssekit.Conn.CloseReason;
import dev.ssekit.Event;
import dev.ssekit.internal.wire.EncodedEvent;
import dev.ssekit.internal.wire.FramedEvent;
import dev.ssekit.testsupport.ClassHistogram;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A connection over the non-blocking transport, on an output whose readiness the test decides:
 * the head goes through the sink until the runtime is done with the request, a burst goes out in
 * one write and one flush, a client that does not read holds no writer thread, and a cut drops
 * what is pending and terminates the connection.
 */
class NonBlockingConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final ConnRuntime runtime = new ConnRuntime("handoff-test", 1, 0);

    /** A container output whose client reads only when the test says so. */
    private static final class ScriptedOutput implements NonBlockingOutput {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<Integer> writes = new ArrayList<>();
        final Served served = new Served();
        volatile boolean ready = true;
        volatile boolean promised;
        volatile boolean terminated;
        int flushes;
        Listener listener;

        @Override
        public void whenServed(Runnable then) {
            served.then(then);
        }

        @Override
        public void listen(Listener value) {
            listener = value;
        }

        @Override
        public synchronized boolean isReady() {
            if (!ready) {
                promised = true;
            }
            return ready;
        }

        @Override
        public synchronized void write(List<byte[]> frames) {
            writes.add(frames.stream().mapToInt(f -> f.length).sum());
            frames.forEach(written::writeBytes);
        }

        @Override
        public synchronized void flush() {
            flushes++;
        }

        @Override
        public boolean terminate() {
            terminated = true;
            return true;
        }

        /** The client read everything: the container can take more. */
        void drained() {
            boolean tell;
            synchronized (this) {
                ready = true;
                tell = promised;
                promised = false;
            }
            if (tell) {
                listener.onWritable();
            }
        }

        synchronized String text() {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    /** The handoff runs on the thread that makes it due: these tests are about the connection, not its threads. */
    private static HandoffOutlet handoff(FakeSse.Sink sink, ScriptedOutput output) {
        return new HandoffOutlet(SinkOutlet.of(sink), output, Runnable::run);
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private static String frame(String data) {
        return "data: " + data + "\n\n";
    }

    @Test
    void write_throughTheSinkUntilTheRuntimeIsDoneWithTheRequest() {
        FakeSse.Sink sink = new FakeSse.Sink();
        ScriptedOutput output = new ScriptedOutput();
        Connection conn = new Connection(handoff(sink, output), ConnSettings.DEFAULTS,
                runtime, null, true);
        conn.send(EncodedEvent.of(Event.of("early"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        assertEquals("", output.text(), "nothing written past the runtime while it still holds the request");
        output.served.mark();
        conn.send(EncodedEvent.of(Event.of("late"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        assertEquals(frame("late"), output.text());
        assertEquals(2, sink.written().size(), "the greeting and the early event went through the sink");
    }

    @Test
    void write_aBurstQueuedWhileTheClientCannotTakeMoreGoesOutInOneWriteAndOneFlush() {
        ScriptedOutput output = new ScriptedOutput();
        output.served.mark();
        Connection conn = new Connection(handoff(new FakeSse.Sink(), output),
                ConnSettings.DEFAULTS, runtime, null, true);
        conn.send(EncodedEvent.of(Event.of("first"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        int writesBefore = output.writes.size();
        synchronized (output) {
            output.ready = false; // the client stops reading
        }
        conn.send(EncodedEvent.of(Event.of("x"))); // handed to the output, which then says: not ready
        await().atMost(WAIT).until(() -> output.promised);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            conn.send(EncodedEvent.of(Event.of("burst " + i)));
            expected.append(frame("burst " + i));
        }
        // Nothing is written while the client does not read, and no writer thread waits for it.
        assertEquals(writesBefore, output.writes.size());
        assertEquals(0, runtime.stalledCuts());
        output.drained();
        await().atMost(WAIT).until(() -> output.text().endsWith(expected.toString()));
        synchronized (output) {
            assertEquals(writesBefore + 2, output.writes.size(), "one write for x, one for the burst: " + output.writes);
            assertEquals(expected.length(), output.writes.get(output.writes.size() - 1));
        }
        assertEquals(0, conn.queued());
    }

    @Test
    void cut_terminatesTheConnectionAndFailsWhatIsPending() {
        ScriptedOutput output = new ScriptedOutput();
        output.served.mark();
        Connection conn = new Connection(handoff(new FakeSse.Sink(), output),
                ConnSettings.DEFAULTS.withQueueCapacity(3), runtime, null, true);
        conn.send(EncodedEvent.of(Event.of("first"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        synchronized (output) {
            output.ready = false;
        }
        conn.send(EncodedEvent.of(Event.of("in flight")));
        await().atMost(WAIT).until(() -> output.promised);
        for (int i = 0; i < 3; i++) {
            conn.offer(Connection.broadcast(EncodedEvent.of(Event.of("queued " + i)), null), null);
        }
        assertFalse(conn.offer(Connection.broadcast(EncodedEvent.of(Event.of("one too many")), null), null), "the fourth is past the capacity");
        assertEquals(CloseReason.SLOW_CONSUMER, conn.done().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join());
        assertTrue(output.terminated, "the container was told to close the client's connection at once");
    }

    @Test
    void fanOut_connectionsOnTheNonBlockingOutputShareWriterTasks() {
        int n = 200;
        List<ScriptedOutput> outputs = new ArrayList<>();
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ScriptedOutput output = new ScriptedOutput();
            output.served.mark();
            Connection conn = new Connection(handoff(new FakeSse.Sink(), output),
                    ConnSettings.DEFAULTS, runtime, null, true);
            // The greeting goes through the sink; once it is written, the stream is handed off to the output.
            conn.send(EncodedEvent.of(Event.of("first"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
            outputs.add(output);
            conns.add(conn);
        }
        long tasksBefore = runtime.writerTasks();
        Drains drains = new Drains();
        EncodedEvent event = EncodedEvent.of(Event.of("fanned"));
        for (Connection conn : conns) {
            assertTrue(conn.offer(Connection.broadcast(event, null), drains));
        }
        assertTrue(drains.pending() > n - Drains.PER_TASK, drains.pending() + " of " + n + " left to share tasks");
        drains.submit();
        await().atMost(WAIT).until(() -> outputs.stream().allMatch(o -> o.text().endsWith(frame("fanned"))));
        long tasks = runtime.writerTasks() - tasksBefore;
        int shared = (n + Drains.PER_TASK - 1) / Drains.PER_TASK;
        // At most: a connection whose drain of "first" was still running takes "fanned" in that drain.
        assertTrue(tasks <= shared, tasks + " tasks: one per " + Drains.PER_TASK + " connections, not one per delivery");
    }

    @Test
    void offer_oneBroadcastInEveryQueue_eachClientGetsItOnceAfterWhatItWasSent() {
        // The fan-out queues one record per event to all its subscribers: each queue still writes it
        // in its own order, once, whatever the other queues hold.
        List<ScriptedOutput> outputs = new ArrayList<>();
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ScriptedOutput output = new ScriptedOutput();
            output.served.mark();
            Connection conn = new Connection(handoff(new FakeSse.Sink(), output), ConnSettings.DEFAULTS, runtime, null, true);
            conn.send(EncodedEvent.of(Event.of("first"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
            outputs.add(output);
            conns.add(conn);
        }
        conns.get(1).offer(Connection.broadcast(EncodedEvent.of(Event.of("only to one")), null), null);
        Drains drains = new Drains();
        Connection.Broadcast shared = Connection.broadcast(EncodedEvent.of(Event.of("shared")), null);
        for (Connection conn : conns) {
            assertTrue(conn.offer(shared, drains));
        }
        drains.submit();
        await().atMost(WAIT).until(() -> outputs.stream().allMatch(o -> o.text().endsWith(frame("shared"))));
        for (int i = 0; i < 3; i++) {
            String text = outputs.get(i).text();
            assertEquals(text.indexOf(frame("shared")), text.lastIndexOf(frame("shared")), "written once: " + text);
            assertEquals(i == 1, text.endsWith(frame("only to one") + frame("shared")), "in its queue's order: " + text);
        }
    }

    @Test
    void fanOut_aConnectionStillOnTheSinkKeepsATaskOfItsOwn() {
        FakeSse.Sink sink = new FakeSse.Sink();
        ScriptedOutput output = new ScriptedOutput(); // the runtime not done with the request: no handoff
        Connection conn = new Connection(handoff(sink, output), ConnSettings.DEFAULTS,
                runtime, null, true);
        conn.send(EncodedEvent.of(Event.of("first"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        Drains drains = new Drains();
        assertTrue(conn.offer(Connection.broadcast(EncodedEvent.of(Event.of("fanned")), null), drains));
        assertEquals(0, drains.pending(), "a connection whose writes may block is not left to share a task");
        await().atMost(WAIT).until(() -> sink.written().size() == 3); // greeting, first, fanned
    }

    @Test
    void queue_afterABurstDrains_givesItsArrayBack() throws Exception {
        // Connections that each queued a burst of 1,000 events while their client did not read, then
        // caught up: an ArrayDeque never shrinks, and each would keep an array of 1,024 slots or more
        // (4 KB and up) for the rest of its life. The events themselves are shared, as in a fan-out.
        int connections = 100;
        int burst = 1_000;
        FramedEvent event = EncodedEvent.of(Event.of("burst"));
        List<ScriptedOutput> outputs = new ArrayList<>();
        List<Connection> conns = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            ScriptedOutput output = new ScriptedOutput();
            output.served.mark();
            Connection conn = new Connection(handoff(new FakeSse.Sink(), output),
                    ConnSettings.DEFAULTS.withQueueCapacity(2 * burst), runtime, null, true);
            conn.send(EncodedEvent.of(Event.of("first"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
            conn.send(EncodedEvent.of(Event.of("second"))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
            outputs.add(output);
            conns.add(conn);
        }
        ClassHistogram before = ClassHistogram.now();
        for (int i = 0; i < connections; i++) {
            ScriptedOutput output = outputs.get(i);
            synchronized (output) {
                output.ready = false;
            }
            Connection conn = conns.get(i);
            conn.send(event);
            await().atMost(WAIT).until(() -> output.promised);
            for (int k = 0; k < burst; k++) {
                assertTrue(conn.offer(Connection.broadcast(event, null), null), "queued");
            }
            assertEquals(burst, conn.queued());
            output.drained();
            await().atMost(WAIT).until(() -> conn.queued() == 0);
        }
        ClassHistogram after = ClassHistogram.now();
        long arrays = after.bytes("[Ljava.lang.Object;") - before.bytes("[Ljava.lang.Object;");
        assertTrue(arrays < 1024L * connections, "object arrays grew by " + arrays / connections
                + " B a connection after its burst drained");
        for (Connection conn : conns) {
            assertFalse(conn.isClosed());
        }
    }
}
