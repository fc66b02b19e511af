package dev.ssekit.app;

import dev.ssekit.app.mercure.Discovery;
import dev.ssekit.app.security.CorsFilter;
import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.RequestSyntaxFilter;
import dev.ssekit.internal.ServletStreams;
import dev.ssekit.internal.TextResponses;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Serves the WAR's subscriptions below JAX-RS: a {@code GET} of {@code /.well-known/mercure} that
 * asks for {@code text/event-stream} is answered here, on the servlet response, so that an idle
 * subscriber keeps only the container's own request state, not the JAX-RS runtime's nor a
 * request-scoped resource: RESTEasy's async request and response, its {@code UriInfo} and header
 * maps, Weld's creational context (on WildFly 39, 2,000 idle subscribers held 13.6 KB each before,
 * 7.3 KB with this filter, against 5.1 KB for a bare servlet that holds an async request; Jersey's
 * {@code ContainerRequest} on Payara: 30 KB before, 23 KB after). What it answers is
 * {@link MercureSubscribe}'s, as for the JAX-RS resource: the same refusals with the same bodies, and
 * the headers the resource's filters add (the query's syntax, CORS, {@code Link}, the stream headers).
 * Every other request, and a {@code GET} that does not name {@code text/event-stream} in its
 * {@code Accept}, goes down the chain to JAX-RS unchanged. The embedded hub has no servlet container
 * and keeps the resource.
 */
public final class SubscribeFilter implements Filter {
    static final String NAME = "ssekit-hub-subscribe";
    static final String PATH = "/.well-known/mercure";

    private MercureSubscribe subscribe;
    private HubSecurity security;

    /**
     * Installs the filter after ssekit's servlet transport, which must see the request first (its
     * filter is added by the library's initializer, which runs before any listener).
     */
    @WebListener
    public static final class Installer implements ServletContextListener {
        @Override
        public void contextInitialized(ServletContextEvent event) {
            FilterRegistration.Dynamic filter = event.getServletContext().addFilter(NAME, SubscribeFilter.class);
            if (filter == null) {
                return; // declared in web.xml already: that declaration stands
            }
            filter.setAsyncSupported(true);
            filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, PATH);
        }
    }

    @Override
    public void init(FilterConfig config) {
        subscribe = CDI.current().select(MercureSubscribe.class).get();
        security = CDI.current().select(HubSecurity.class).get();
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        ServletStreams.Stream stream = null;
        if (request instanceof HttpServletRequest req && response instanceof HttpServletResponse res
                && "GET".equals(req.getMethod()) && req.isAsyncSupported()
                && asksForEvents(req.getHeader("Accept"))) {
            stream = ServletStreams.open(req, res, req.getHeader("Last-Event-ID"));
        }
        if (stream == null) {
            // Not a subscription, a chain that cannot go asynchronous, or no servlet transport
            // (declared out in web.xml?): JAX-RS serves it.
            chain.doFilter(request, response);
            return;
        }
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse res = (HttpServletResponse) response;
        boolean started = false;
        try {
            URI base = baseUri(req);
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Link", Discovery.LinkHeader.link(security.settings().protocol().hubUrl(base)));
            CorsFilter.originHeaders(security.settings(), req.getHeader("Origin"), headers::put);
            try {
                String problem = RequestSyntaxFilter.problem(req.getContentType(), req.getQueryString());
                if (problem != null) {
                    throw PlainText.error(Response.Status.BAD_REQUEST, problem);
                }
                Map<String, List<String>> params = new LinkedHashMap<>();
                MercureSubscribe.addForm(req.getQueryString(), params);
                subscribe.stream(params, req.getHeader("Last-Event-ID"), req.getHeader("Authorization"),
                        security.cookie(cookie(req, HubSecurity.COOKIE), cookie(req, HubSecurity.CURRENT_COOKIE)),
                        base, stream.sink());
            } catch (RuntimeException e) {
                stream.abort();
                answer(res, new TextErrors().toResponse(e), headers);
                return;
            }
            started = true;
            try {
                stream.start(headers);
            } catch (IOException e) {
                // The client left before the head: its connection ends on the failed write, and
                // nothing can be answered.
            }
        } finally {
            if (!started) {
                stream.abort(); // whatever went wrong before the head: the subscription ends, nothing held
            }
        }
    }

    /** @return whether {@code accept} names {@code text/event-stream}, with a quality above 0 */
    static boolean asksForEvents(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("text/event-stream")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(p.substring(2)) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true; // JAX-RS refuses the header: leave the answer to it
                    }
                }
            }
            return !refused;
        }
        return false;
    }

    /** @return the application's base URI, as JAX-RS gives it: the request's origin and context path, then / */
    private static URI baseUri(HttpServletRequest req) {
        String url = req.getRequestURL().toString();
        String origin = url.substring(0, url.length() - req.getRequestURI().length());
        return URI.create(origin + req.getContextPath() + "/");
    }

    private static String cookie(HttpServletRequest req, String name) {
        Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(name)) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    /** Writes a refusal as the JAX-RS runtime writes the resource's: status, headers, text body. */
    private static void answer(HttpServletResponse res, Response answer, Map<String, String> headers)
            throws IOException {
        res.setStatus(answer.getStatus());
        headers.forEach(res::setHeader);
        answer.getStringHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(v -> res.addHeader(name, v));
            }
        });
        res.setContentType(TextResponses.CONTENT_TYPE);
        Object entity = answer.getEntity();
        byte[] body = (entity == null ? "" : entity.toString()).getBytes(StandardCharsets.UTF_8);
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

}
