package dev.ssekit.app.embedded;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Answers a request target that is not a valid URI (raw {@code "}, {@code <}, {@code #} in the
 * query…) with a 400 saying so, before Jersey's Grizzly container, which would fail on it with a 500
 * and an HTML stack trace (found by the fuzz run); and makes Grizzly's own error pages plain text
 * without stack traces.
 */
final class CheckedTargets extends HttpHandler {
    private final HttpHandler jersey;

    private CheckedTargets(HttpHandler jersey) {
        this.jersey = jersey;
    }

    /** Puts itself in front of the server's one handler. */
    static void install(ServerConfiguration config) {
        HttpHandler jersey = config.getHttpHandlers().keySet().iterator().next();
        String[] mappings = config.getHttpHandlers().get(jersey);
        config.removeHttpHandler(jersey);
        config.addHttpHandler(new CheckedTargets(jersey), mappings);
        config.setDefaultErrorPageGenerator((request, status, reason, description, error) ->
                status + " " + reason + "\n");
    }

    @Override
    public void start() {
        jersey.start();
    }

    @Override
    public void destroy() {
        jersey.destroy();
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        String query = request.getQueryString();
        try {
            // The same parse Jersey's container makes of the target.
            new URI("http://localhost" + request.getRequestURI() + (query == null ? "" : "?" + query));
        } catch (URISyntaxException e) {
            byte[] body = ("request target: not a valid URI (" + e.getReason() + " at index " + e.getIndex()
                    + " of the target and host); percent-encode such characters\n").getBytes(StandardCharsets.UTF_8);
            response.setStatus(400);
            response.setContentType("text/plain;charset=utf-8");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            return;
        }
        jersey.service(request, response);
    }
}
