package dev.ssekit.app.embedded;

import dev.ssekit.internal.conn.Outlets;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Gives the streams of a Jersey application on Grizzly ssekit's non-blocking transport
 * ({@link GrizzlyOutput}): it stands in front of the server's one handler, so that a stream opened
 * while Jersey serves a request finds that request's Grizzly output, and knows when Jersey is done
 * with it. Once a stream's head is out, the stream detaches from its request ({@link DetachedStreams}),
 * so that an idle stream keeps no request state.
 */
public final class GrizzlyTransport extends FrontHandler {

    private GrizzlyTransport(HttpHandler next) {
        super(next);
    }

    /**
     * Puts the transport in front of the server's one handler (Jersey's, or one wrapping it), and
     * {@link DetachedStreams} in each listener's filter chain. Install it last, in front of every
     * other front handler: once its handler has returned, a stream may complete its request at any
     * moment, and Grizzly then recycles the request's objects.
     *
     * @param server the server, before it starts
     * @return what removes the transport from ssekit again, once the server has stopped
     */
    public static Runnable install(HttpServer server) {
        FrontHandler.install(server.getServerConfiguration(), GrizzlyTransport::new);
        server.getListeners().forEach(l -> l.registerAddOn(new DetachedStreams()));
        return Outlets.register(GrizzlyOutput::current);
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        GrizzlyOutput.serving(request, () -> next.service(request, response));
    }
}
