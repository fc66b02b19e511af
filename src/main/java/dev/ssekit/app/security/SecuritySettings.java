package dev.ssekit.app.security;

import dev.ssekit.internal.Settings;

import com.nimbusds.jose.JWSAlgorithm;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The hub app's security settings, read and checked at start-up: an invalid value stops the
 * application with a message naming the key (and quoting the value, except for secrets).
 *
 * @param verifier         checks tokens; null when no key is configured (then no token is accepted)
 * @param anonymousPublish whether publishing without a token is allowed
 * @param anonymousSet     whether {@code ssekit.hub.anonymous.publish} was set explicitly
 * @param corsOrigins      exact origins ({@code https://app.example.com}) allowed cross-origin
 *                         requests with credentials; {@code *} for any origin without credentials
 * @param maxFormSize      the largest publish form body, in bytes
 * @param protocol         which revisions of Mercure are on, and the hub's URL and resource identifier
 */
public record SecuritySettings(TokenVerifier verifier, boolean anonymousPublish, boolean anonymousSet,
                               Set<String> corsOrigins, int maxFormSize, Protocol protocol) {
    public static final String MERCURE_CURRENT = "ssekit.hub.mercure.current";
    public static final String MERCURE_LEGACY = "ssekit.hub.mercure.legacy";
    public static final String HUB_URL = "ssekit.hub.url";
    public static final String RESOURCE = "ssekit.hub.resource";
    public static final String JWT_ISSUER = "ssekit.hub.jwt.issuer";
    public static final String JWT_SECRET_ISSUER = "ssekit.hub.jwt.secret.issuer";
    public static final String JWT_PUBLIC_KEY_ISSUER = "ssekit.hub.jwt.publicKey.issuer";
    public static final String SUBSCRIPTIONS = "ssekit.hub.subscriptions";

    /**
     * The protocol settings.
     *
     * @param current  whether the current revision is on ({@code match*}, {@code last_event_id},
     *                 {@code at+jwt} access tokens)
     * @param legacy   whether the old revision is on ({@code topic}, {@code lastEventID}, tokens with
     *                 a {@code mercure} claim, the {@code mercureAuthorization} cookie)
     * @param hub      the hub's URL, or null to take it from each request
     * @param resource the resource identifier access tokens must name in {@code aud}, or null for
     *                 the hub's URL
     * @param subscriptions whether the active subscriptions feature is on
     */
    public record Protocol(boolean current, boolean legacy, URI hub, String resource, boolean subscriptions) {
        /** Both revisions on; the hub's URL from each request; no active subscriptions. */
        public static final Protocol DEFAULT = new Protocol(true, true, null, null, false);

        /**
         * @param base the request's base URI
         * @return the hub's URL: the configured one, else {@code <base>.well-known/mercure}
         */
        public URI hubUrl(URI base) {
            return hub != null ? hub : base.resolve(".well-known/mercure");
        }

        /** @return the resource identifier for a request of {@code base} */
        public String resource(URI base) {
            return resource != null ? resource : hubUrl(base).toString();
        }
    }
    public static final String JWT_SECRET = "ssekit.hub.jwt.secret";
    public static final String JWT_PUBLIC_KEY = "ssekit.hub.jwt.publicKey";
    public static final String JWT_ALGORITHMS = "ssekit.hub.jwt.algorithms";
    public static final String JWT_CLOCK_SKEW = "ssekit.hub.jwt.clock.skew";
    public static final String ANONYMOUS_PUBLISH = "ssekit.hub.anonymous.publish";
    public static final String CORS_ORIGINS = "ssekit.hub.cors.origins";
    public static final String MAX_FORM_SIZE = "ssekit.hub.max.form.size";

    /** 4 MiB: a 1 MiB event (the default maxEventSize) percent-encoded at its worst, with room to spare. */
    public static final int DEFAULT_MAX_FORM_SIZE = 4 * 1024 * 1024;
    /**
     * Tolerated difference between the issuer's clock and ours for {@code exp} and {@code nbf}: none,
     * as Mercure's own hub, since a stream must end no later than its token's {@code exp}.
     */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ZERO;

    private static final Map<String, Boolean> BOOLEANS = Map.of("true", Boolean.TRUE, "false", Boolean.FALSE);
    private static final List<JWSAlgorithm> KNOWN = List.of(
            JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    /** Copies the origins, so that the record stays immutable. */
    public SecuritySettings {
        corsOrigins = Set.copyOf(corsOrigins);
    }

    /**
     * @return the settings with anonymous publishing as given, for the embedded hub's development
     *         default; an explicit {@code ssekit.hub.anonymous.publish} is never overridden
     */
    public SecuritySettings withDevelopmentAnonymousPublish() {
        return anonymousSet ? this : new SecuritySettings(verifier, true, false, corsOrigins, maxFormSize, protocol);
    }

    /**
     * Reads and checks every security setting.
     *
     * @throws IllegalArgumentException naming the key of the first invalid setting
     */
    public static SecuritySettings read(Settings v) {
        byte[] secret = secret(v.raw(JWT_SECRET));
        PublicKey key = publicKey(v.raw(JWT_PUBLIC_KEY));
        Set<JWSAlgorithm> algorithms = algorithms(v.raw(JWT_ALGORITHMS), secret, key);
        Duration skew = v.duration(JWT_CLOCK_SKEW, DEFAULT_CLOCK_SKEW);
        Boolean current = v.choice(MERCURE_CURRENT, Boolean.TRUE, BOOLEANS);
        Boolean legacy = v.choice(MERCURE_LEGACY, Boolean.TRUE, BOOLEANS);
        if (!current && !legacy) {
            throw Settings.invalid(MERCURE_LEGACY, v.raw(MERCURE_LEGACY), "true when " + MERCURE_CURRENT
                    + " is false: at least one revision of the protocol must be on");
        }
        String issuer = v.raw(JWT_ISSUER);
        String secretIssuer = v.raw(JWT_SECRET_ISSUER) != null ? v.raw(JWT_SECRET_ISSUER) : issuer;
        String keyIssuer = v.raw(JWT_PUBLIC_KEY_ISSUER) != null ? v.raw(JWT_PUBLIC_KEY_ISSUER) : issuer;
        URI hub = hubUrl(v.raw(HUB_URL));
        String resource = v.raw(RESOURCE);
        TokenVerifier verifier = algorithms.isEmpty() ? null : new TokenVerifier(secret, key, algorithms, skew,
                secret == null ? null : secretIssuer, key == null ? null : keyIssuer, current, legacy);
        Boolean anonymous = v.choice(ANONYMOUS_PUBLISH, null, BOOLEANS);
        long form = v.bytes(MAX_FORM_SIZE, DEFAULT_MAX_FORM_SIZE);
        if (form < 1024 || form > Integer.MAX_VALUE - 8) {
            throw Settings.invalid(MAX_FORM_SIZE, v.raw(MAX_FORM_SIZE), "a size from 1KiB to below 2GiB");
        }
        return new SecuritySettings(verifier, anonymous != null && anonymous, anonymous != null,
                origins(v.raw(CORS_ORIGINS)), (int) form, new Protocol(current, legacy, hub, resource,
                v.choice(SUBSCRIPTIONS, Boolean.FALSE, BOOLEANS)));
    }

    private static URI hubUrl(String value) {
        if (value == null) {
            return null;
        }
        try {
            URI u = new URI(value);
            if (u.getScheme() != null && u.getHost() != null && u.getRawPath() != null && !u.getRawPath().isEmpty()) {
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw Settings.invalid(HUB_URL, value, "the hub's absolute URL, such as https://hub.example.com/.well-known/mercure");
    }

    private static byte[] secret(String value) {
        if (value == null) {
            return null;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            // Never quote a secret, not even a wrong one.
            throw new IllegalArgumentException("invalid setting " + JWT_SECRET + " (value not shown): expected at "
                    + "least 32 bytes (256 bits), as HS256 requires; it has " + bytes.length);
        }
        return bytes;
    }

    private static PublicKey publicKey(String pem) {
        if (pem == null) {
            return null;
        }
        String expected = "a PEM public key, RSA, EC, Ed25519 or Ed448 (-----BEGIN PUBLIC KEY----- ... "
                + "-----END PUBLIC KEY-----)";
        String body = pem.replace("\\n", "\n");
        if (!body.contains("-----BEGIN PUBLIC KEY-----") || !body.contains("-----END PUBLIC KEY-----")) {
            throw Settings.invalid(JWT_PUBLIC_KEY, pem, expected);
        }
        body = body.substring(body.indexOf("-----BEGIN PUBLIC KEY-----") + "-----BEGIN PUBLIC KEY-----".length(),
                body.indexOf("-----END PUBLIC KEY-----")).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw Settings.invalid(JWT_PUBLIC_KEY, pem, expected + " with base64 between the lines");
        }
        for (String type : new String[] {"RSA", "EC", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // try the next key type
            }
        }
        throw Settings.invalid(JWT_PUBLIC_KEY, pem, expected);
    }

    private static Set<JWSAlgorithm> algorithms(String value, byte[] secret, PublicKey key) {
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        if (value == null) {
            if (secret != null) {
                out.add(JWSAlgorithm.HS256);
            }
            if (key instanceof RSAPublicKey) {
                out.add(JWSAlgorithm.RS256);
            } else if (key instanceof ECPublicKey ec) {
                out.add(TokenVerifier.curveAlgorithm(ec));
            } else if (key instanceof EdECPublicKey) {
                out.add(JWSAlgorithm.EdDSA);
            }
            return out;
        }
        if (secret == null && key == null) {
            throw new IllegalArgumentException("invalid setting " + JWT_ALGORITHMS + "=\"" + value + "\": no key to "
                    + "verify with; set " + JWT_SECRET + " or " + JWT_PUBLIC_KEY);
        }
        for (String name : value.split("[,\\s]+")) {
            if (name.isEmpty()) {
                continue;
            }
            JWSAlgorithm alg = KNOWN.stream().filter(a -> a.getName().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> Settings.invalid(JWT_ALGORITHMS, value,
                            "a comma-separated list of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, "
                                    + "PS512, ES256, ES384, ES512, EdDSA (\"" + name + "\" is not one; none is never accepted)"));
            String problem = TokenVerifier.keyProblem(alg, secret, key);
            if (problem != null) {
                throw Settings.invalid(JWT_ALGORITHMS, value, "algorithms the configured keys can verify: "
                        + problem);
            }
            out.add(alg);
        }
        if (out.isEmpty()) {
            throw Settings.invalid(JWT_ALGORITHMS, value, "at least one algorithm");
        }
        return out;
    }

    private static Set<String> origins(String value) {
        Set<String> out = new LinkedHashSet<>();
        if (value == null) {
            return out;
        }
        for (String origin : value.split("[,\\s]+")) {
            if (origin.isEmpty()) {
                continue;
            }
            if (origin.equals("*")) {
                out.add(origin);
                continue;
            }
            out.add(normalizeOrigin(origin).orElseThrow(() -> Settings.invalid(CORS_ORIGINS, value,
                    "a comma-separated list of origins such as https://app.example.com or http://localhost:3000 "
                            + "(scheme, host and port only), or *")));
        }
        return out;
    }

    /** @return {@code scheme://host[:port]} in lower case, or empty if it is not an http(s) origin */
    static java.util.Optional<String> normalizeOrigin(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
                    || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                    + (uri.getPort() == -1 ? "" : ":" + uri.getPort()));
        } catch (URISyntaxException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * @return whether a page of {@code origin} may make credentialed requests (cookies,
     *         Authorization): only origins listed exactly, never through {@code *}
     */
    public boolean allowsCredentialsFrom(String origin) {
        return origin != null && normalizeOrigin(origin).map(corsOrigins::contains).orElse(false);
    }

    /** @return whether {@code *} is listed: any origin may read, without credentials */
    public boolean allowsAnyOrigin() {
        return corsOrigins.contains("*");
    }

    /** @return a summary for the start-up log, without any secret */
    public String describe() {
        return (verifier == null ? "no JWT key" : "JWT " + verifier.describe())
                + ", anonymous publishing " + (anonymousPublish ? "ON" : "off")
                + ", CORS origins " + (corsOrigins.isEmpty() ? "none" : corsOrigins)
                + ", max form " + maxFormSize + " bytes"
                + ", Mercure revisions: " + (protocol.current() ? "current" : "") + (protocol.current() && protocol.legacy()
                        ? " + " : "") + (protocol.legacy() ? "old" : "")
                + (protocol.hub() == null ? "" : ", hub URL " + protocol.hub())
                + (protocol.resource() == null ? "" : ", resource " + protocol.resource());
    }
}
