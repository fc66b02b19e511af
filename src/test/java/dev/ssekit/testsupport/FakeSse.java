package dev.ssekit.testsupport;

import dev.ssekit.internal.wire.FrameBatch;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory JAX-RS Sse and sink, to drive races that HTTP timing cannot pin down. */
public final class FakeSse {
    private FakeSse() {
    }

    /** @return an Sse whose broadcaster accepts registrations and does nothing else */
    public static Sse sse() {
        SseBroadcaster broadcaster = (SseBroadcaster) Proxy.newProxyInstance(FakeSse.class.getClassLoader(),
                new Class<?>[]{SseBroadcaster.class}, (proxy, method, args) -> null);
        return (Sse) Proxy.newProxyInstance(FakeSse.class.getClassLoader(), new Class<?>[]{Sse.class},
                (proxy, method, args) -> method.getName().equals("newBroadcaster") ? broadcaster : null);
    }

    /** A sink that records what it is sent. */
    public static final class Sink implements SseEventSink {
        private final List<OutboundSseEvent> written = new CopyOnWriteArrayList<>();
        private volatile boolean closed;
        private final boolean stuck;

        public Sink() {
            this(false);
        }

        private Sink(boolean stuck) {
            this.stuck = stuck;
        }

        /** @return a sink whose writes never complete, as a client that stopped reading */
        public static Sink stuck() {
            return new Sink(true);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            written.add(event);
            return stuck ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }

        /** @return what the sink was sent, in order */
        public List<OutboundSseEvent> written() {
            return List.copyOf(written);
        }

        /** @return the ids of the message events written, in order, those written in batches included */
        public List<String> ids() {
            List<String> ids = new ArrayList<>();
            for (OutboundSseEvent e : written) {
                if (e instanceof FrameBatch batch) {
                    ids.addAll(messageIds(new String(batch.frameBytes(), StandardCharsets.UTF_8)));
                } else if (e.getData() != null) {
                    ids.add(e.getId());
                }
            }
            return ids;
        }

        /** @return the id of each event with data in {@code frames}: LF-separated lines, a blank line ending each */
        private static List<String> messageIds(String frames) {
            List<String> ids = new ArrayList<>();
            for (String frame : frames.split("\n\n")) {
                String id = null;
                boolean data = false;
                for (String line : frame.split("\n")) {
                    if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("data:")) {
                        data = true;
                    }
                }
                if (data) {
                    ids.add(id);
                }
            }
            return ids;
        }
    }
}
