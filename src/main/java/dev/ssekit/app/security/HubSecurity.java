package dev.ssekit.app.security;

import dev.ssekit.app.PlainText;
import dev.ssekit.internal.Settings;

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
    /** The old revision's cookie, in which Mercure clients send their token where EventSource cannot set headers. */
    public static final String COOKIE = "mercureAuthorization";
    /** The current revision's recommended cookie name (its prefix makes browsers keep it to HTTPS). */
    public static final String CURRENT_COOKIE = "__Secure-mercure_access_token";
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
                    s = SecuritySettings.read(Settings.current());
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
     * @param legacyCookie  the {@code mercureAuthorization} cookie, or null
     * @param currentCookie the {@code __Secure-mercure_access_token} cookie, or null
     * @return the cookie of a revision that is on: the current revision's name first
     */
    public String cookie(String legacyCookie, String currentCookie) {
        SecuritySettings.Protocol p = settings().protocol();
        if (p.current() && currentCookie != null && !currentCookie.isBlank()) {
            return currentCookie;
        }
        return p.legacy() ? legacyCookie : null;
    }

    /**
     * The URL of the hub's protected resource metadata, for {@code resource_metadata} in challenges:
     * where RFC 9728 derives it from the hub's URL when the hub's URL is configured or the
     * application is at its server's root; else (a WAR under a context path, whose server serves
     * nothing of it outside that path) the place the application serves it,
     * {@code <base>.well-known/oauth-protected-resource/.well-known/mercure}.
     *
     * @param base the request's base URI
     * @return the URL of the hub's protected resource metadata (RFC 9728)
     */
    public String metadataUrl(URI base) {
        SecuritySettings.Protocol p = settings().protocol();
        URI hub = p.hubUrl(base);
        String path = base.getRawPath();
        if (p.hub() != null || path == null || path.isEmpty() || path.equals("/")) {
            return hub.resolve("/.well-known/oauth-protected-resource" + hub.getRawPath()).toString();
        }
        return base.resolve(".well-known/oauth-protected-resource/.well-known/mercure").toString();
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
                    throw forbidden(c, "publish: anonymous publishing accepts no request from another site's page "
                            + "(Origin or Referer); list the page's origin in " + SecuritySettings.CORS_ORIGINS);
                }
                return;
            }
            if (s.verifier() == null) {
                throw unauthorized(c, null, "publish: this hub accepts no publisher: no JWT key is configured ("
                        + SecuritySettings.JWT_SECRET + " or " + SecuritySettings.JWT_PUBLIC_KEY + ") and "
                        + SecuritySettings.ANONYMOUS_PUBLISH + " is not true");
            }
            throw unauthorized(c, null, "publish: an access token is required, in Authorization: Bearer or the "
                    + (s.protocol().current() ? CURRENT_COOKIE : COOKIE) + " cookie");
        }
        if (token.fromCookie() && !sameOriginOrAllowed(c, s)) {
            // A browser sends the cookie with any site's form: only pages of known origins may use it.
            throw forbidden(c, "publish: a token in a cookie needs an Origin header of this hub or of "
                    + SecuritySettings.CORS_ORIGINS);
        }
        MercureClaims claims = verify(c, token.value(), s);
        for (String topic : topics) {
            if (!claims.mayPublish(topic)) {
                throw forbidden(c, "publish: the token grants no publish right on topic "
                        + PlainText.quote(topic));
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
        return token == null ? MercureClaims.NONE : verify(c, token.value(), settings());
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
    private Token token(Credentials c, boolean otherSchemes) {
        String header = c.authorization();
        boolean bearer = header != null && header.trim().regionMatches(true, 0, "Bearer", 0, 6)
                && (header.trim().length() == 6 || Character.isWhitespace(header.trim().charAt(6)));
        if (header != null && !header.isBlank() && !bearer && !otherSchemes) {
            // An unsupported method (Basic, say) is a request without any authentication information
            // for this hub: RFC 6750 3.1 answers it with 401 and a challenge without an error code.
            throw unauthorized(c, null, "Authorization: only the Bearer scheme is supported, with an access token");
        }
        if (header != null && !header.isBlank() && bearer) {
            String h = header.trim();
            if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.substring(7).isBlank()) {
                // A malformed presentation of the token: 400 invalid_request (RFC 6750).
                throw new WebApplicationException(error(Response.Status.BAD_REQUEST,
                        REALM + ", error=\"invalid_request\"", "Authorization: use the Bearer scheme with a JWT"));
            }
            return new Token(h.substring(7).trim(), false);
        }
        String cookie = c.cookie();
        return cookie == null || cookie.isBlank() ? null : new Token(cookie.trim(), true);
    }

    private MercureClaims verify(Credentials c, String token, SecuritySettings s) {
        if (s.verifier() == null) {
            throw unauthorized(c, "invalid_token", "this hub has no JWT key configured, so it cannot verify tokens");
        }
        URI base = c.base() == null ? URI.create("http://localhost/") : c.base();
        try {
            return s.verifier().verify(token, s.protocol().hubUrl(base), s.protocol().resource(base));
        } catch (InvalidTokenException e) {
            throw unauthorized(c, "invalid_token", e.getMessage());
        }
    }

    /** The Bearer challenge, with the protected resource metadata's URL (RFC 9728). */
    private String challenge(Credentials c) {
        return c.base() == null ? REALM : REALM + ", resource_metadata=\"" + metadataUrl(c.base()) + "\"";
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

    private WebApplicationException unauthorized(Credentials c, String error, String reason) {
        // error_description carries only our own fixed wording: nothing from the request.
        String challenge = error == null ? challenge(c)
                : challenge(c) + ", error=\"" + error + "\", error_description=\"" + reason.replace('"', '\'') + "\"";
        return new WebApplicationException(error(Response.Status.UNAUTHORIZED, challenge, reason));
    }

    private WebApplicationException forbidden(Credentials c, String reason) {
        return new WebApplicationException(error(Response.Status.FORBIDDEN,
                challenge(c) + ", error=\"insufficient_scope\"", reason));
    }

    private static Response error(Response.Status status, String challenge, String reason) {
        return PlainText.text(status, reason).header("WWW-Authenticate", challenge).build();
    }
}
