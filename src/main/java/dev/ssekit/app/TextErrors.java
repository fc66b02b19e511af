package dev.ssekit.app;

import dev.ssekit.internal.TextResponses;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every error the hub app answers is plain text that says what went wrong, and never a stack trace:
 * the container's own refusals (no such path, wrong method or media type) get a short text body,
 * and anything unexpected is logged here and answered with a generic 500.
 */
@Provider
public class TextErrors implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(TextErrors.class.getName());

    @Override
    public Response toResponse(Throwable error) {
        if (error instanceof WebApplicationException w) {
            Response r = w.getResponse();
            if (r.hasEntity()) {
                return r;
            }
            int status = r.getStatus();
            Response.StatusType type = r.getStatusInfo();
            return Response.fromResponse(r).type(TextResponses.TYPE)
                    .entity(status + " " + type.getReasonPhrase() + hint(status) + "\n").build();
        }
        LOG.log(Level.WARNING, "ssekit hub: unexpected error answering a request", error);
        return Response.serverError().type(TextResponses.TYPE)
                .entity("500 Internal Server Error: the hub logged the cause\n").build();
    }

    private static String hint(int status) {
        return switch (status) {
            case 404 -> ": the hub serves / and /.well-known/mercure";
            case 405 -> ": /.well-known/mercure takes GET (subscribe) and POST (publish)";
            case 406 -> ": subscribe with Accept: text/event-stream";
            case 415 -> ": publish with Content-Type: application/x-www-form-urlencoded";
            default -> "";
        };
    }
}
