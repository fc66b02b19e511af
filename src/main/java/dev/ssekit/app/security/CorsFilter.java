package dev.ssekit.app.security;

import dev.ssekit.SseKitFeature;
import dev.ssekit.app.PlainText;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * CORS for the origins of {@code ssekit.hub.cors.origins} (none by default): preflights are answered
 * here, before any resource, with the methods and headers Mercure clients send ({@code Authorization}
 * for publishers, {@code Last-Event-ID} for reconnecting EventSources); responses to listed origins
 * carry the exact origin with {@code Access-Control-Allow-Credentials}, as EventSource with
 * credentials and the {@code mercureAuthorization} cookie need. With {@code *}, any origin may read,
 * without credentials.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
@ApplicationScoped
public class CorsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    static final String ALLOWED_METHODS = "GET, QUERY, POST";
    static final String ALLOWED_HEADERS = "Authorization, Last-Event-ID, Content-Type, Cache-Control";
    private static final Set<String> METHODS = Set.of("GET", "POST", "HEAD");
    private static final Set<String> HEADERS = Set.of("authorization", "last-event-id", "content-type",
            "cache-control", "accept", "accept-language", "content-language");
    /** How long browsers may cache a preflight answer, in seconds. */
    static final int MAX_AGE = 600;

    @Inject
    HubSecurity security;

    @Override
    public void filter(ContainerRequestContext request) {
        String origin = request.getHeaderString("Origin");
        String method = request.getHeaderString("Access-Control-Request-Method");
        if (!"OPTIONS".equals(request.getMethod()) || origin == null || method == null) {
            return;
        }
        SecuritySettings s = security.settings();
        boolean credentials = s.allowsCredentialsFrom(origin);
        if (!credentials && !s.allowsAnyOrigin()) {
            request.abortWith(PlainText.text(Response.Status.FORBIDDEN, "CORS: origin " + PlainText.quote(origin)
                    + " is not allowed (" + SecuritySettings.CORS_ORIGINS + ")").build());
            return;
        }
        if (!METHODS.contains(method.trim())) {
            request.abortWith(PlainText.text(Response.Status.FORBIDDEN, "CORS: method " + PlainText.quote(method)
                    + " is not allowed; allowed: " + ALLOWED_METHODS).build());
            return;
        }
        String requested = request.getHeaderString("Access-Control-Request-Headers");
        if (requested != null) {
            for (String h : requested.split(",")) {
                String name = h.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !HEADERS.contains(name)) {
                    request.abortWith(PlainText.text(Response.Status.FORBIDDEN, "CORS: header "
                            + PlainText.quote(h.trim()) + " is not allowed; allowed: " + ALLOWED_HEADERS).build());
                    return;
                }
            }
        }
        Response.ResponseBuilder answer = Response.noContent()
                .header("Access-Control-Allow-Methods", ALLOWED_METHODS)
                .header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                .header("Access-Control-Max-Age", MAX_AGE);
        request.abortWith(answer.build()); // the response filter below adds the origin headers
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String origin = request.getHeaderString("Origin");
        if (origin == null) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        originHeaders(security.settings(), origin, headers::putSingle);
    }

    /**
     * Sets the CORS headers of an answer to a request from {@code origin}, wherever the answer is
     * written: here, and where a servlet filter serves a subscription below JAX-RS.
     *
     * @param s      the hub's security settings (the allowed origins)
     * @param origin the request's {@code Origin}, or null
     * @param set    sets one header, replacing any value it had
     */
    public static void originHeaders(SecuritySettings s, String origin, BiConsumer<String, String> set) {
        if (origin == null) {
            return;
        }
        if (s.allowsCredentialsFrom(origin)) {
            // The listed form, never the request's bytes: nothing from the client reaches a header.
            set.accept("Access-Control-Allow-Origin", SecuritySettings.normalizeOrigin(origin).orElseThrow());
            set.accept("Access-Control-Allow-Credentials", "true");
            set.accept("Vary", "Origin");
        } else if (s.allowsAnyOrigin()) {
            set.accept("Access-Control-Allow-Origin", "*");
        } else {
            return;
        }
        // Link carries discovery and the subscription API's last-event-id, which cross-origin clients must read.
        set.accept("Access-Control-Expose-Headers", SseKitFeature.REPLAY_STARTED_AFTER_HEADER + ", Link");
    }
}
