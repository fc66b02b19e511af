package dev.ssekit.testkit;

import java.io.IOException;

/**
 * Why and how a recorded stream ended.
 *
 * @param reason  why it ended
 * @param status  the response status, or 0 when no response head arrived
 * @param body    for {@link Reason#HTTP_STATUS} and {@link Reason#NOT_EVENT_STREAM}: the response
 *                body as UTF-8 text (its first 64 KiB); otherwise empty
 * @param failure for {@link Reason#BROKEN}: what broke it; otherwise null
 */
public record StreamEnd(Reason reason, int status, String body, IOException failure) {
    /** Why a stream ended. */
    public enum Reason {
        /** The server ended the response properly: the last chunk, or the end of a body without framing. */
        SERVER_CLOSED,
        /** The status was not 200; an {@code EventSource} fails the connection then. */
        HTTP_STATUS,
        /** The status was 200 but the content type was not {@code text/event-stream}. */
        NOT_EVENT_STREAM,
        /** The connection could not be made, broke, or the response was not well-formed HTTP. */
        BROKEN,
        /** The test closed the stream ({@link SseRecorder#close()} or {@link SseRecorder#reconnect()}). */
        CLIENT_CLOSED
    }

    /** @return the reason, with the status, body or failure where they tell more */
    @Override
    public String toString() {
        return switch (reason) {
            case HTTP_STATUS, NOT_EVENT_STREAM -> reason + " (status " + status + ", body "
                    + ReceivedEvent.quote(body) + ")";
            case BROKEN -> reason + " (" + failure + ")";
            default -> reason.toString();
        };
    }
}
