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
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies Mercure JWTs with Nimbus JOSE+JWT: a signed token (never {@code alg: none}, never
 * encrypted), whose algorithm is one of those configured, checked with the key of that algorithm's
 * family only (an HS token against the shared secret, an RS/PS token against the RSA key, an ES
 * token against the EC key, so no public key can ever serve as an HMAC secret), and whose
 * {@code exp} and {@code nbf}, when present, hold within the clock skew. Thread-safe.
 */
public final class TokenVerifier {
    private final JWSVerifier mac;
    private final JWSVerifier rsa;
    private final JWSVerifier ec;
    private final Set<JWSAlgorithm> algorithms;
    private final long skewSeconds;

    TokenVerifier(byte[] secret, PublicKey key, Set<JWSAlgorithm> algorithms, Duration skew) {
        try {
            this.mac = secret == null ? null : new MACVerifier(secret);
            this.rsa = key instanceof RSAPublicKey r ? new RSASSAVerifier(r) : null;
            this.ec = key instanceof ECPublicKey e ? new ECDSAVerifier(e) : null;
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
        if (key instanceof ECPublicKey e && curveAlgorithm(e).equals(alg)) {
            return null;
        }
        return alg + " needs an EC key of its curve in " + SecuritySettings.JWT_PUBLIC_KEY;
    }

    /**
     * @param token the compact JWT
     * @return its Mercure claims
     * @throws InvalidTokenException saying why the token is refused, without quoting it
     */
    public MercureClaims verify(String token) {
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
        JWSVerifier verifier = JWSAlgorithm.Family.HMAC_SHA.contains(alg) ? mac
                : JWSAlgorithm.Family.RSA.contains(alg) ? rsa : ec;
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
            throw new InvalidTokenException("the token's claims are not a JSON object");
        }
        Date now = new Date();
        if (claims.getExpirationTime() != null && !DateUtils.isAfter(claims.getExpirationTime(), now, skewSeconds)) {
            throw new InvalidTokenException("the token has expired");
        }
        if (claims.getNotBeforeTime() != null && !DateUtils.isBefore(claims.getNotBeforeTime(), now, skewSeconds)) {
            throw new InvalidTokenException("the token is not valid yet (nbf)");
        }
        return MercureClaims.of(claims);
    }

    /** @return the accepted algorithms, for the start-up log */
    String describe() {
        return algorithms.stream().map(JWSAlgorithm::getName).collect(Collectors.joining(", "))
                + ", clock skew " + skewSeconds + " s";
    }
}
