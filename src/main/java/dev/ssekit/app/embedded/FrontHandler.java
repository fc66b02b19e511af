package dev.ssekit.app.embedded;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.util.function.Function;

/**
 * A handler that stands in front of the embedded server's one handler (Jersey's, or another front
 * handler), sees each request first and passes it on to {@link #next}.
 */
abstract class FrontHandler extends HttpHandler {
    /** The handler this one stands in front of. */
    final HttpHandler next;

    FrontHandler(HttpHandler next) {
        this.next = next;
    }

    /**
     * Puts a front handler in place of the server's one handler, under the same mappings.
     *
     * @param config the server's configuration, before the server starts
     * @param front  makes the front handler, given the handler it stands in front of
     * @return the front handler
     */
    static <T extends FrontHandler> T install(ServerConfiguration config, Function<HttpHandler, T> front) {
        HttpHandler current = config.getHttpHandlers().keySet().iterator().next();
        String[] mappings = config.getHttpHandlers().get(current);
        config.removeHttpHandler(current);
        T handler = front.apply(current);
        config.addHttpHandler(handler, mappings);
        return handler;
    }

    @Override
    public void start() {
        next.start();
    }

    @Override
    public void destroy() {
        next.destroy();
    }
}
