package dev.ssekit.internal.servlet;

import dev.ssekit.internal.ServletStreams;
import dev.ssekit.internal.conn.ClientAddress;
import dev.ssekit.internal.conn.Outlets;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Marks the request this thread serves, so that a stream opened meanwhile gets the request's
 * non-blocking output ({@link ServletOutput}), and marks the moment the JAX-RS runtime has
 * returned the request to the container: from then on the runtime writes nothing on its own, and
 * the stream's writes may go straight to the servlet output. Costs a thread-local per request.
 *
 * <p>It also offers {@link ServletStreams} to the application's filters (streams served below
 * JAX-RS), and tells {@link ClientAddress} the client's address of the request it serves.
 *
 * <p>On Undertow (WildFly) it also hands the chain an {@link UndertowResponse}, which ends the
 * stream of a client that has left without Undertow logging an error.
 */
public final class ServingFilter implements Filter {
    private final List<Runnable> unregister = new ArrayList<>();

    @Override
    public void init(FilterConfig config) {
        unregister.add(Outlets.register(ServletOutput::current));
        unregister.add(ServletStreams.register(FilterStream::new));
        // Without it, the address is looked up through CDI, whose request-scoped bean then lives with the stream.
        unregister.add(ClientAddress.register(ServletOutput::currentAddress));
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        UndertowResponse undertow = request.getClass().getName().startsWith("io.undertow.")
                && response instanceof HttpServletResponse http
                ? new UndertowResponse(request, http) : null;
        ServletResponse served = undertow != null ? undertow : response;
        ServletOutput.serve(request, () -> chain.doFilter(request, served));
        if (undertow != null && request.isAsyncStarted()) {
            // Only until the dispatch returns may a listener be added.
            request.getAsyncContext().addListener(undertow);
        }
    }

    @Override
    public void destroy() {
        unregister.forEach(Runnable::run);
        unregister.clear();
    }
}
