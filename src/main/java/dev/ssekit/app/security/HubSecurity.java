package dev.ssekit.app.security;

import dev.ssekit.internal.TextResponses;

import dev.ssekit.internal.config.ConfigValues;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.Collection;
import java.util.logging.Logger;

/**
 * Who may publish, and who gets private updates: Mercure's rules over the hub's settings
 * ({@link SecuritySettings}). Refusals follow RFC 6750: {@code 401} with {@code WWW-Authenticate}
 * for a missing or invalid token, {@code 403} for a valid token without the right claim; the body
 * says why, never quoting a token or a key.
 */
@ApplicationScoped
public class HubSecurity {
    /** The cookie Mercure clients send their token in, where EventSource cannot set headers. */
    public static final String COOKIE = "mercureAuthorization";
    private static final Logger LOG = Logger.getLogger(HubSecurity.class.getName());
    private static final String REALM = "Bearer realm=\"mercure\"";

    @Inject
    Instance<DevelopmentDefaults> development;

    private volatile SecuritySettings settings;

    /**
     * @return the settings, read and checked on first use (at start-up, by the hub's start observer)
     * @throws IllegalArgumentException naming the key of an invalid setting
     */
    public SecuritySettings settings() {
        SecuritySettings s = settings;
        if (s == null) {
            synchronized (this) {
                s = settings;
                if (s == null) {
                    s = SecuritySettings.read(ConfigValues.current());
                    if (s.verifier() == null && development.isResolvable()
                            && development.get().anonymousPublishOnLoopback()) {
                        s = s.withDevelopmentAnonymousPublish();
                    }
                    settings = s;
                    report(s);
                }
            }
        }
        return s;
    }

    private static void report(SecuritySettings s) {
        SecuritySettings shown = s;
        LOG.info(() -> "ssekit hub security: " + shown.describe());
        if (s.anonymousPublish()) {
            LOG.warning("ssekit hub: ANONYMOUS PUBLISHING IS ON: anybody who can reach this hub may publish, "
                    + "private updates included" + (s.anonymousSet() ? " (" + SecuritySettings.ANONYMOUS_PUBLISH
                    + "=true)" : " (development default: loopback only, no key configured)"));
        } else if (s.verifier() == null) {
            LOG.warning("ssekit hub: no JWT key is configured (" + SecuritySettings.JWT_SECRET + " or "
                    + SecuritySettings.JWT_PUBLIC_KEY + "): publishing is refused with 401 and no subscriber gets "
                    + "private updates");
        }
    }

    /** The credentials a request carries. */
    public record Credentials(String authorization, String cookie, String origin, String referer, URI base) {
    }

    /**
     * Lets a publisher through, or refuses it.
     *
     * @param c      the request's credentials
     * @param topics the topics of the update
     * @throws WebApplicationException 401 or 403, saying why
     */
    public void authorizePublish(Credentials c, Collection<String> topics) {
        SecuritySettings s = settings();
        // With anonymous publishing on, an Authorization header of another scheme (Basic, say) belongs
        // to the container's security, in front of the hub: it is not ours to refuse.
        Token token = token(c, s.anonymousPublish());
        if (token == null) {
            if (s.anonymousPublish()) {
                if (sentByAPage(c) && !sameOriginOrAllowed(c, s)) {
                    // A browser posts a form to any site without a preflight: only pages of known
                    // origins may publish anonymously (or with the container's credentials).
                    throw forbidden("publish: anonymous publishing accepts no request from another site's page "
                            + "(Origin or Referer); list the page's origin in " + SecuritySettings.CORS_ORIGINS);
                }
                return;
            }
            if (s.verifier() == null) {
                throw unauthorized(null, "publish: this hub accepts no publisher: no JWT key is configured ("
                        + SecuritySettings.JWT_SECRET + " or " + SecuritySettings.JWT_PUBLIC_KEY + ") and "
                        + SecuritySettings.ANONYMOUS_PUBLISH + " is not true");
            }
            throw unauthorized(null, "publish: a JWT is required, in Authorization: Bearer or the " + COOKIE
                    + " cookie");
        }
        if (token.fromCookie() && !sameOriginOrAllowed(c, s)) {
            // A browser sends the cookie with any site's form: only pages of known origins may use it.
            throw forbidden("publish: a token in the " + COOKIE + " cookie needs an Origin header of this hub or of "
                    + SecuritySettings.CORS_ORIGINS);
        }
        MercureClaims claims = verify(token.value(), s);
        for (String topic : topics) {
            if (!claims.mayPublish(topic)) {
                throw forbidden("publish: the token's mercure.publish claim does not allow topic "
                        + dev.ssekit.internal.Checks.quote(topic));
            }
        }
    }

    /**
     * @param c the request's credentials
     * @return the subscriber's rights: {@link MercureClaims#NONE} without a token
     * @throws WebApplicationException 401 for a token that does not verify
     */
    public MercureClaims subscriber(Credentials c) {
        Token token = token(c, false);
        return token == null ? MercureClaims.NONE : verify(token.value(), settings());
    }

    private record Token(String value, boolean fromCookie) {
    }

    /** @return whether a browser page sent the request: it names its origin or its page */
    private static boolean sentByAPage(Credentials c) {
        return (c.origin() != null && !c.origin().isBlank()) || (c.referer() != null && !c.referer().isBlank());
    }

    /**
     * The Authorization header wins over the cookie, as in Mercure.
     *
     * @param otherSchemes whether an Authorization header of another scheme than Bearer is left to the
     *                     container (else it is refused with 401)
     */
    private static Token token(Credentials c, boolean otherSchemes) {
        String header = c.authorization();
        boolean bearer = header != null && header.trim().regionMatches(true, 0, "Bearer", 0, 6);
        if (header != null && !header.isBlank() && (bearer || !otherSchemes)) {
            String h = header.trim();
            if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.substring(7).isBlank()) {
                throw new WebApplicationException(error(Response.Status.UNAUTHORIZED,
                        REALM + ", error=\"invalid_request\"", "Authorization: use the Bearer scheme with a JWT"));
            }
            return new Token(h.substring(7).trim(), false);
        }
        String cookie = c.cookie();
        return cookie == null || cookie.isBlank() ? null : new Token(cookie.trim(), true);
    }

    private static MercureClaims verify(String token, SecuritySettings s) {
        if (s.verifier() == null) {
            throw unauthorized("invalid_token", "this hub has no JWT key configured, so it cannot verify tokens");
        }
        try {
            return s.verifier().verify(token);
        } catch (InvalidTokenException e) {
            throw unauthorized("invalid_token", e.getMessage());
        }
    }

    private static boolean sameOriginOrAllowed(Credentials c, SecuritySettings s) {
        String origin = c.origin();
        if (origin == null || origin.isBlank() || origin.equals("null")) {
            origin = c.referer();
        }
        if (origin == null || origin.isBlank()) {
            return false;
        }
        java.util.Optional<String> o = SecuritySettings.normalizeOrigin(originOf(origin));
        if (o.isEmpty()) {
            return false;
        }
        if (s.allowsCredentialsFrom(o.get())) {
            return true;
        }
        return c.base() != null && SecuritySettings.normalizeOrigin(originOf(c.base().toString()))
                .map(o.get()::equals).orElse(false);
    }

    /** @return the {@code scheme://authority} part of a URL, or the text as it is */
    private static String originOf(String url) {
        try {
            URI u = new URI(url);
            return u.getScheme() == null || u.getRawAuthority() == null ? url : u.getScheme() + "://" + u.getRawAuthority();
        } catch (java.net.URISyntaxException e) {
            return url;
        }
    }

    private static WebApplicationException unauthorized(String error, String reason) {
        // error_description carries only our own fixed wording: nothing from the request.
        String challenge = error == null ? REALM
                : REALM + ", error=\"" + error + "\", error_description=\"" + reason.replace('"', '\'') + "\"";
        return new WebApplicationException(error(Response.Status.UNAUTHORIZED, challenge, reason));
    }

    private static WebApplicationException forbidden(String reason) {
        return new WebApplicationException(error(Response.Status.FORBIDDEN,
                REALM + ", error=\"insufficient_scope\"", reason));
    }

    private static Response error(Response.Status status, String challenge, String reason) {
        return TextResponses.text(status, reason).header("WWW-Authenticate", challenge).build();
    }
}
