package dev.ssekit.internal.conn;

import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * How many writer threads a runtime runs: one per core (at least two) while streams write through
 * non-blocking outputs, whose writes never wait; its full size once a stream writes through a
 * blocking sink, whose writes wait for their clients.
 */
class WriterThreadsTest {
    private static final int FULL = 12;

    @Test
    void nonBlockingStreamsOnly_onePerCore() {
        ConnRuntime runtime = new ConnRuntime("writers-test", FULL, 0);
        Runnable unregister = Outlets.register(NeverReady::new);
        try {
            assertInstanceOf(HandoffOutlet.class, Outlets.forSink(new FakeSse.Sink(), runtime));
            assertEquals(Math.min(FULL, ConnRuntime.nonBlockingWriterThreads()), runtime.writerThreads());
            assertEquals(Optional.empty(), runtime.problem(System.nanoTime()));
        } finally {
            unregister.run();
            runtime.close();
        }
    }

    @Test
    void aStreamOnABlockingSink_theFullPool() {
        ConnRuntime runtime = new ConnRuntime("writers-test", FULL, 0);
        try {
            assertInstanceOf(SinkOutlet.class, Outlets.forSink(new FakeSse.Sink(), runtime));
            assertEquals(FULL, runtime.writerThreads());
            assertEquals(Optional.empty(), runtime.problem(System.nanoTime()), "every worker of the grown pool runs");
            Outlets.forSink(new FakeSse.Sink(), runtime);
            assertEquals(FULL, runtime.writerThreads(), "grown once");
        } finally {
            runtime.close();
        }
    }

    /** A container output that is never ready: the streams here write nothing. */
    private static final class NeverReady implements NonBlockingOutput {
        @Override
        public void whenServed(Runnable served) {
        }

        @Override
        public void listen(Listener listener) {
        }

        @Override
        public boolean isReady() {
            return false;
        }

        @Override
        public void write(List<byte[]> frames) throws IOException {
            throw new IOException("never ready");
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean terminate() {
            return true;
        }
    }
}
