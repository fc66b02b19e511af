package dev.ssekit.internal.servlet;

import dev.ssekit.Event;
import dev.ssekit.internal.wire.EncodedEvent;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink of a stream served by a servlet filter, on a recording request and response. */
class ServletSinkTest {
    /** What the fake container saw, in order. */
    private final List<String> calls = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    /** The client has left: every write fails. */
    private boolean clientGone;

    private final ServletOutputStream out = new ServletOutputStream() {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(int b) throws IOException {
            if (clientGone) {
                throw new IOException("Broken pipe");
            }
            body.write(b);
        }

        @Override
        public void flush() {
            calls.add("flush " + body.size());
        }
    };

    private final AsyncContext async = fake(AsyncContext.class, (name, args) -> {
        calls.add(name + (name.equals("setTimeout") ? " " + args[0] : ""));
        return null;
    });

    private final HttpServletResponse response = fake(HttpServletResponse.class, (name, args) -> {
        if (name.equals("getOutputStream")) {
            return out;
        }
        throw new UnsupportedOperationException(name);
    });

    private final HttpServletRequest request = fake(HttpServletRequest.class, (name, args) -> {
        if (name.equals("startAsync")) {
            calls.add("startAsync " + (args[0] == requestItself() && args[1] == response));
            return async;
        }
        throw new UnsupportedOperationException(name);
    });

    private final ServletSink sink = new ServletSink(request, response);

    @Test
    void send_beforeStart_isHeldUntilStartWritesItAfterStartingAsync() throws Exception {
        CompletableFuture<?> first = sink.send(EncodedEvent.of(Event.comment("connected"))).toCompletableFuture();

        assertFalse(first.isDone(), "held: the head is not due yet");
        assertEquals("", text());
        assertEquals(List.of(), calls);

        sink.start();

        assertTrue(first.isDone());
        first.get();
        assertEquals(": connected\n\n", text());
        assertEquals(List.of("startAsync true", "setTimeout 0", "flush 13"), calls);
    }

    @Test
    void send_afterStart_writesAndFlushesAtOnce() throws Exception {
        sink.start();
        sink.send(EncodedEvent.of(Event.of("a").withId("1"))).toCompletableFuture().get();

        assertEquals("id: 1\ndata: a\n\n", text());
        assertEquals("flush 15", calls.get(calls.size() - 1));
    }

    @Test
    void abort_failsWhatWasHeld_andWritesNothing() {
        CompletableFuture<?> held = sink.send(EncodedEvent.of(Event.comment("connected"))).toCompletableFuture();

        sink.abort();

        ExecutionException e = assertThrows(ExecutionException.class, held::get);
        assertEquals("the sink closed before the stream started", e.getCause().getMessage());
        assertTrue(sink.isClosed());
        assertEquals("", text());
        assertEquals(List.of(), calls);
    }

    @Test
    void start_afterAbort_startsNothing() throws IOException {
        sink.abort();
        sink.start();

        assertEquals(List.of(), calls);
    }

    @Test
    void close_afterStart_completesTheRequest_andLaterSendsFail() throws Exception {
        sink.start();
        sink.close();
        sink.close(); // once only

        assertEquals(List.of("startAsync true", "setTimeout 0", "flush 0", "complete"), calls);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> sink.send(EncodedEvent.of(Event.of("late"))).toCompletableFuture().get());
        assertEquals("the sink is closed", e.getCause().getMessage());
    }

    @Test
    void close_afterAFailedWrite_stillCompletesTheRequest() throws Exception {
        sink.start();
        clientGone = true;
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> sink.send(EncodedEvent.of(Event.of("lost"))).toCompletableFuture().get());
        assertEquals("Broken pipe", e.getCause().getMessage());
        assertTrue(sink.isClosed(), "nothing more is written after a failed write");

        sink.close(); // the connection ends on its failed write: the container's request must end too

        assertEquals(List.of("startAsync true", "setTimeout 0", "flush 0", "complete"), calls);
    }

    @Test
    void start_whenTheClientLeftBeforeTheHead_failsWhatWasHeld_andCloseCompletesTheRequest() {
        CompletableFuture<?> held = sink.send(EncodedEvent.of(Event.comment("connected"))).toCompletableFuture();
        clientGone = true;

        assertThrows(IOException.class, sink::start);
        assertTrue(held.isCompletedExceptionally());
        sink.close();

        assertEquals(List.of("startAsync true", "setTimeout 0", "complete"), calls);
    }

    @Test
    void send_ofAnotherEventClass_failsNamingIt() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> sink.send(fake(jakarta.ws.rs.sse.OutboundSseEvent.class, (n, a) -> null)).toCompletableFuture().get());
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("ssekit's servlet sink writes ssekit's own events only, got "),
                e.getCause().getMessage());
    }

    private Object requestItself() {
        return request;
    }

    private String text() {
        return body.toString(StandardCharsets.UTF_8);
    }

    private interface Answer {
        Object call(String method, Object[] args);
    }

    private static <T> T fake(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> type.getSimpleName();
                };
            }
            return answer.call(method.getName(), args == null ? new Object[0] : args);
        }));
    }
}
