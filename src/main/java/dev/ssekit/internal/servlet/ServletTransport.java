package dev.ssekit.internal.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;

import java.util.EnumSet;
import java.util.Set;

/**
 * Gives the streams of a web application ssekit's non-blocking transport, the Servlet API's async
 * I/O: installs {@link ServingFilter} in front of every request, the innermost filter, so that a
 * stream opened while the JAX-RS runtime serves the request can reach the request's output once
 * the runtime is done with it. Found by the container in the library jar
 * ({@code META-INF/services/jakarta.servlet.ServletContainerInitializer}), so users configure
 * nothing; the embedded hub has no servlet container and never loads it.
 */
public final class ServletTransport implements ServletContainerInitializer {
    static final String FILTER_NAME = "ssekit-stream-transport";

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, ServingFilter.class);
        if (filter == null) {
            return; // declared in web.xml already: that declaration stands
        }
        // A filter that is not async-supported would forbid the JAX-RS runtime's startAsync().
        filter.setAsyncSupported(true);
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }
}
