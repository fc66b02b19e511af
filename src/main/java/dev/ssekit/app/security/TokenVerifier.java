package dev.ssekit.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.util.DateUtils;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies the tokens of both revisions of Mercure. A current-revision token is an RFC 9068 access
 * token: header {@code typ} {@code at+jwt}, an {@code iss} that names the issuer a configured key is
 * bound to (only that issuer's key is tried: keys are never pooled across issuers), the hub's
 * resource identifier in {@code aud}, and a required {@code exp}; its rights are in
 * {@code authorization_details}. An old-revision token (any other {@code typ}) carries a
 * {@code mercure} claim and is accepted only while that revision is on. Both:
 * Verifies JWTs with Nimbus JOSE+JWT: a signed token (never {@code alg: none}, never
 * encrypted), whose algorithm is one of those configured, checked with the key of that algorithm's
 * family only (an HS token against the shared secret, an RS/PS token against the RSA key, an ES
 * token against the EC key, an EdDSA token against the Ed25519 or Ed448 key, so no public key can
 * ever serve as an HMAC secret), and whose
 * {@code exp} and {@code nbf}, when present, hold within the clock skew. Thread-safe.
 */
public final class TokenVerifier {
    private final JWSVerifier mac;
    private final JWSVerifier rsa;
    private final JWSVerifier ec;
    private final JWSVerifier ed;
    private final Set<JWSAlgorithm> algorithms;
    private final long skewSeconds;
    private final String secretIssuer;
    private final String keyIssuer;
    private final boolean current;
    private final boolean legacy;

    TokenVerifier(byte[] secret, PublicKey key, Set<JWSAlgorithm> algorithms, Duration skew) {
        this(secret, key, algorithms, skew, null, null, false, true);
    }

    /**
     * @param secretIssuer the issuer the shared secret belongs to, or null (no current token with it)
     * @param keyIssuer    the issuer the public key belongs to, or null
     * @param current      whether current-revision ({@code at+jwt}) tokens are accepted
     * @param legacy       whether old-revision tokens ({@code mercure} claim) are accepted
     */
    TokenVerifier(byte[] secret, PublicKey key, Set<JWSAlgorithm> algorithms, Duration skew, String secretIssuer,
                  String keyIssuer, boolean current, boolean legacy) {
        this.secretIssuer = secretIssuer;
        this.keyIssuer = keyIssuer;
        this.current = current;
        this.legacy = legacy;
        try {
            this.mac = secret == null ? null : new MACVerifier(secret);
            this.rsa = key instanceof RSAPublicKey r ? new RSASSAVerifier(r) : null;
            this.ec = key instanceof ECPublicKey e ? new ECDSAVerifier(e) : null;
            this.ed = key instanceof EdECPublicKey e ? new EdDsaVerifier(e) : null;
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the JWT verification key cannot be used: " + e.getMessage(), e);
        }
        this.algorithms = Set.copyOf(algorithms);
        this.skewSeconds = skew.toSeconds();
    }

    /** @return the algorithm an EC key's curve signs with */
    static JWSAlgorithm curveAlgorithm(ECPublicKey key) {
        Curve curve = Curve.forECParameterSpec(key.getParams());
        if (Curve.P_384.equals(curve)) {
            return JWSAlgorithm.ES384;
        }
        if (Curve.P_521.equals(curve)) {
            return JWSAlgorithm.ES512;
        }
        return JWSAlgorithm.ES256;
    }

    /** @return why {@code alg} cannot be verified with the keys given, or null if it can */
    static String keyProblem(JWSAlgorithm alg, byte[] secret, PublicKey key) {
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            if (secret == null) {
                return alg + " needs " + SecuritySettings.JWT_SECRET;
            }
            int bits = Integer.parseInt(alg.getName().substring(2));
            return secret.length * 8 < bits ? alg + " needs a secret of at least " + bits / 8 + " bytes" : null;
        }
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return key instanceof RSAPublicKey ? null : alg + " needs an RSA key in " + SecuritySettings.JWT_PUBLIC_KEY;
        }
        if (JWSAlgorithm.EdDSA.equals(alg)) {
            return key instanceof EdECPublicKey ? null
                    : alg + " needs an Ed25519 or Ed448 key in " + SecuritySettings.JWT_PUBLIC_KEY;
        }
        if (key instanceof ECPublicKey e && curveAlgorithm(e).equals(alg)) {
            return null;
        }
        return alg + " needs an EC key of its curve in " + SecuritySettings.JWT_PUBLIC_KEY;
    }

    /** Verifies an old-revision token (tests and callers that know no hub URL). */
    public MercureClaims verify(String token) {
        return verify(token, null, null);
    }

    /**
     * @param token    the compact JWT
     * @param hub      the hub's URL, for relative URL patterns in grants
     * @param resource the hub's resource identifier, which {@code aud} must name
     * @return its Mercure claims
     * @throws InvalidTokenException saying why the token is refused, without quoting it
     */
    public MercureClaims verify(String token, java.net.URI hub, String resource) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new InvalidTokenException("the token is not a well-formed JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw new InvalidTokenException("unsigned tokens (alg none) are refused");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new InvalidTokenException("encrypted tokens are not accepted; sign the token (JWS)");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!algorithms.contains(alg)) {
            throw new InvalidTokenException("the token's algorithm is not accepted here (accepted: "
                    + algorithms.stream().map(JWSAlgorithm::getName).sorted().collect(Collectors.joining(", ")) + ")");
        }
        com.nimbusds.jose.JOSEObjectType typ = signed.getHeader().getType();
        String t = typ == null ? "" : typ.getType().toLowerCase(java.util.Locale.ROOT);
        boolean accessToken = t.equals("at+jwt") || t.equals("application/at+jwt");
        boolean asCurrent = current && (accessToken || !legacy);
        if (asCurrent && !accessToken) {
            throw new InvalidTokenException("the token's typ must be at+jwt (an RFC 9068 access token)");
        }
        if (!asCurrent && !legacy) {
            throw new InvalidTokenException("this hub accepts no token: both protocol revisions are off");
        }
        boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(alg);
        JWSVerifier verifier = hmac ? mac : JWSAlgorithm.Family.RSA.contains(alg) ? rsa
                : JWSAlgorithm.EdDSA.equals(alg) ? ed : ec;
        JWTClaimsSet unverified = null;
        if (asCurrent) {
            // The key is chosen by the issuer: only a key bound to the token's iss may verify it.
            try {
                unverified = signed.getJWTClaimsSet();
            } catch (ParseException e) {
                throw new InvalidTokenException(claimsProblem(e));
            }
            String iss = unverified.getIssuer();
            if (iss == null) {
                throw new InvalidTokenException("the token has no iss claim");
            }
            if (!iss.equals(hmac ? secretIssuer : keyIssuer)) {
                throw new InvalidTokenException("the token's issuer is not trusted with this algorithm's key");
            }
        }
        boolean valid;
        try {
            valid = verifier != null && signed.verify(verifier);
        } catch (JOSEException | IllegalStateException e) {
            valid = false;
        }
        if (!valid) {
            throw new InvalidTokenException("the token's signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException(claimsProblem(e));
        }
        Date now = new Date();
        if (asCurrent && claims.getExpirationTime() == null) {
            throw new InvalidTokenException("the token has no exp claim");
        }
        if (claims.getExpirationTime() != null && !DateUtils.isAfter(claims.getExpirationTime(), now, skewSeconds)) {
            throw new InvalidTokenException("the token has expired");
        }
        if (claims.getNotBeforeTime() != null && !DateUtils.isBefore(claims.getNotBeforeTime(), now, skewSeconds)) {
            throw new InvalidTokenException("the token is not valid yet (nbf)");
        }
        if (!asCurrent) {
            if (claims.getClaim("mercure") == null && claims.getClaim("authorization_details") != null) {
                // A current-revision token with the wrong typ (an ID token, say): refused, not read
                // as an old-revision token that grants nothing.
                throw new InvalidTokenException("the token's typ must be at+jwt (an RFC 9068 access token) for its "
                        + "authorization_details to be read");
            }
            return MercureClaims.legacy(claims);
        }
        java.util.List<String> aud = claims.getAudience();
        if (resource == null || aud == null || !aud.contains(resource)) {
            throw new InvalidTokenException("the token's aud does not name this hub's resource identifier");
        }
        return MercureClaims.current(claims, hub);
    }

    /** @return why the claims cannot be read: Nimbus names the member of the wrong type, never its value */
    private static String claimsProblem(ParseException e) {
        String why = e.getMessage() == null ? "" : e.getMessage();
        return why.startsWith("Unexpected type of JSON object member ")
                ? "the token's " + why.substring("Unexpected type of JSON object member ".length())
                        + " claim has the wrong type (exp, nbf and iat are numbers; iss and sub strings)"
                : "the token's claims are not a JSON object";
    }

    /** @return the accepted algorithms, for the start-up log */
    String describe() {
        return algorithms.stream().map(JWSAlgorithm::getName).collect(Collectors.joining(", "))
                + ", clock skew " + skewSeconds + " s"
                + (!current ? "" : secretIssuer == null && keyIssuer == null
                        ? ", no access tokens (no issuer configured)"
                        : ", access tokens (at+jwt) of " + (secretIssuer == null ? "" : secretIssuer + " (secret)")
                        + (secretIssuer != null && keyIssuer != null ? " and " : "")
                        + (keyIssuer == null ? "" : keyIssuer + " (public key)"))
                + (legacy ? ", old-revision tokens (mercure claim)" : "");
    }
}
