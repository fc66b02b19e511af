package dev.ssekit.app.embedded;

import dev.ssekit.internal.conn.Outlets;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

/**
 * Gives the streams of a Jersey application on Grizzly ssekit's non-blocking transport
 * ({@link GrizzlyOutput}): it stands in front of the server's one handler, so that a stream opened
 * while Jersey serves a request finds that request's Grizzly output, and knows when Jersey is done
 * with it.
 */
public final class GrizzlyTransport extends FrontHandler {

    private GrizzlyTransport(HttpHandler next) {
        super(next);
    }

    /**
     * Puts the transport in front of the server's one handler (Jersey's, or one wrapping it).
     *
     * @param config the server's configuration, before the server starts
     * @return what removes the transport from ssekit again, once the server has stopped
     */
    public static Runnable install(ServerConfiguration config) {
        FrontHandler.install(config, GrizzlyTransport::new);
        return Outlets.register(GrizzlyOutput::current);
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        GrizzlyOutput.serving(request, () -> next.service(request, response));
    }
}
