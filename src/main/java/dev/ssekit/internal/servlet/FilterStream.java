package dev.ssekit.internal.servlet;

import dev.ssekit.internal.ServletStreams;
import dev.ssekit.internal.wire.ResponseHeaders;
import dev.ssekit.internal.wire.SseResponseFilter;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.sse.SseEventSink;

import java.io.IOException;
import java.util.Map;

/**
 * A stream served by a servlet filter ({@link ServletStreams}): a {@link ServletSink}, and the
 * request's {@code Last-Event-ID} and replay start carried as ssekit's JAX-RS filter carries them
 * ({@link ResponseHeaders}), from the opening to the head.
 */
final class FilterStream implements ServletStreams.Stream {
    private final HttpServletResponse response;
    private final ServletSink sink;
    private final Object headers;

    FilterStream(HttpServletRequest request, HttpServletResponse response, String lastEventId) {
        this.response = response;
        this.sink = new ServletSink(request, response);
        this.headers = ResponseHeaders.begin(lastEventId);
    }

    @Override
    public SseEventSink sink() {
        return sink;
    }

    @Override
    public void start(Map<String, String> extra) throws IOException {
        ResponseHeaders.end();
        response.setStatus(HttpServletResponse.SC_OK);
        // Before the output exists: on Undertow the response's wrapper gives an event stream no buffer.
        response.setContentType("text/event-stream");
        SseResponseFilter.streamHeaders(ResponseHeaders.replayStartedAfter(headers), response::setHeader);
        extra.forEach(response::setHeader);
        sink.start();
    }

    @Override
    public void abort() {
        ResponseHeaders.end();
        sink.abort();
    }
}
