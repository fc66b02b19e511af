package dev.ssekit.internal.wire;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Writes ssekit's own events ({@link FramedEvent}) as the exact bytes ssekit framed: registered by
 * {@link dev.ssekit.SseKitFeature} (and found by provider scanning), it applies to ssekit's event
 * class only, so users' own {@code OutboundSseEvent}s keep their container's writer.
 *
 * <p>Why a writer of our own, and where it is used (read from the containers' source, checked by
 * the byte-level tests on each):
 * <ul>
 *   <li>Jersey (embedded hub, Payara): its sink is a {@code ChunkedOutput} that looks the writer up
 *   for each event by the event's runtime class, and sorts candidates by type distance first, so
 *   this writer wins over Jersey's {@code OutboundEventWriter} (declared for the
 *   {@code OutboundSseEvent} interface). That writer writes no {@code data:} line for empty data,
 *   so browsers drop the event. Jersey then writes its chunk delimiter, one LF: an extra blank line,
 *   which ends no event (the WHATWG parser dispatches nothing on an empty data buffer). The frame
 *   ends with its own blank line all the same, so that it stays one whole event whatever a sink
 *   adds after it; leaving the blank line to Jersey's delimiter would merge events on any sink
 *   without one.</li>
 *   <li>RESTEasy (WildFly): its sink ({@code SseEventOutputImpl}) is built with its own
 *   {@code SseEventProvider} and never looks a writer up, so this writer is not used there. That
 *   writer merges consecutive line breaks in data, so an event whose data has an empty line after
 *   the first is handed to it as a {@linkplain FramedEvent#commentChannel comment} that it writes
 *   unchanged; every other event as its plain fields, which it frames exactly.</li>
 * </ul>
 * Writing below JAX-RS (the servlet response) would need the servlet API, which the embedded hub
 * does not have, and would bypass the sink that the container keeps for the request.
 */
@Provider
@Produces(MediaType.SERVER_SENT_EVENTS)
public final class FrameWriter implements MessageBodyWriter<FramedEvent> {
    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return FramedEvent.class.isAssignableFrom(type)
                && (mediaType == null || MediaType.SERVER_SENT_EVENTS_TYPE.isCompatible(mediaType));
    }

    @Override
    public long getSize(FramedEvent event, Class<?> type, Type genericType, Annotation[] annotations,
                        MediaType mediaType) {
        return -1; // the container chunks the stream: it never needs a length
    }

    @Override
    public void writeTo(FramedEvent event, Class<?> type, Type genericType, Annotation[] annotations,
                        MediaType mediaType, MultivaluedMap<String, Object> httpHeaders, OutputStream out)
            throws IOException {
        event.writeFrame(out);
    }
}
