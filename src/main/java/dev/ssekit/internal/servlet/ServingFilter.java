package dev.ssekit.internal.servlet;

import dev.ssekit.internal.conn.Outlets;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Marks the request this thread serves, so that a stream opened meanwhile gets the request's
 * non-blocking output ({@link ServletOutput}), and marks the moment the JAX-RS runtime has
 * returned the request to the container: from then on the runtime writes nothing on its own, and
 * the stream's writes may go straight to the servlet output. Costs a thread-local per request.
 */
public final class ServingFilter implements Filter {
    private Runnable unregister;

    @Override
    public void init(FilterConfig config) {
        unregister = Outlets.register(ServletOutput::current);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        ServletResponse served = shares(request) && response instanceof HttpServletResponse http
                ? new SharedOutput.Response(http) : response;
        ServletOutput.serve(request, () -> chain.doFilter(request, served));
    }

    /**
     * @return true to share the response's output with the JAX-RS runtime: on Undertow, where
     *         RESTEasy listens to it itself, and only for requests that ask for an event stream
     *         (browsers' {@code EventSource} always does); other responses are left as they are
     */
    private static boolean shares(ServletRequest request) {
        if (!request.getClass().getName().startsWith("io.undertow.")
                || !(request instanceof HttpServletRequest http)) {
            return false;
        }
        String accept = http.getHeader("Accept");
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream");
    }

    @Override
    public void destroy() {
        if (unregister != null) {
            unregister.run();
        }
    }
}
