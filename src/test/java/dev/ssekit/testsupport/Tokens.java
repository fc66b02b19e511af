package dev.ssekit.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Mercure JWTs signed in the test with known keys, good and bad. */
public final class Tokens {
    /** The HS256 secret the test hubs are configured with. */
    public static final String SECRET = "ssekit-test-secret-0123456789abcdef";
    /** A different secret of the right length: a token signed with it must be refused. */
    public static final String WRONG_SECRET = "another-secret-0123456789abcdefghij";
    /** An RSA key pair and an EC P-256 key pair made once per test run. */
    public static final KeyPair RSA = generate("RSA", null);
    public static final KeyPair EC = generate("EC", "secp256r1");

    private Tokens() {
    }

    private static KeyPair generate(String type, String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(type);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException | java.security.InvalidAlgorithmParameterException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the PEM form of a public key, as {@code ssekit.hub.jwt.publicKey} takes it */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** The settings of a hub that verifies HS256 tokens with {@link #SECRET}. */
    public static Map<String, String> hubWithSecret() {
        return Map.of("ssekit.hub.jwt.secret", SECRET);
    }

    /** @return claims with a {@code mercure} claim of the given publish and subscribe selectors (null for absent) */
    public static JWTClaimsSet.Builder claims(List<String> publish, List<String> subscribe) {
        java.util.LinkedHashMap<String, Object> mercure = new java.util.LinkedHashMap<>();
        if (publish != null) {
            mercure.put("publish", publish);
        }
        if (subscribe != null) {
            mercure.put("subscribe", subscribe);
        }
        return new JWTClaimsSet.Builder().subject("test").claim("mercure", mercure)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    }

    /** @return an HS256 token with {@link #SECRET} that may publish to the selectors */
    public static String publisher(String... selectors) {
        return hs256(SECRET, claims(List.of(selectors), null).build());
    }

    /** @return an HS256 token with {@link #SECRET} that may receive private updates of the selectors */
    public static String subscriber(String... selectors) {
        return hs256(SECRET, claims(null, List.of(selectors)).build());
    }

    public static String hs256(String secret, JWTClaimsSet claims) {
        return sign(JWSAlgorithm.HS256, macSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
    }

    public static String hs256(byte[] secret, JWTClaimsSet claims) {
        return sign(JWSAlgorithm.HS256, macSigner(secret), claims);
    }

    public static String rs256(JWTClaimsSet claims) {
        return sign(JWSAlgorithm.RS256, new RSASSASigner((RSAPrivateKey) RSA.getPrivate()), claims);
    }

    public static String es256(JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) EC.getPrivate()), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return an unsigned token, {@code alg: none}, with the claims */
    public static String none(JWTClaimsSet claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static MACSigner macSigner(byte[] secret) {
        try {
            return new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The issuer the test hubs bind {@link #SECRET} to, for current-revision access tokens. */
    public static final String ISSUER = "https://issuer.test";
    /** The resource identifier the test hubs are configured with. */
    public static final String RESOURCE = "https://hub.test/.well-known/mercure";

    /** The settings of a hub that takes access tokens signed with {@link #SECRET} by {@link #ISSUER}. */
    public static Map<String, String> hubWithIssuer() {
        return Map.of("ssekit.hub.jwt.secret", SECRET, "ssekit.hub.jwt.issuer", ISSUER,
                "ssekit.hub.resource", RESOURCE);
    }

    /**
     * @param action   publish or subscribe
     * @param matchers topic matcher objects ({@code {"match": …, "match_type": …}})
     * @return one Mercure authorization detail
     */
    public static Map<String, Object> detail(String action, List<Map<String, String>> matchers) {
        return Map.of("type", "https://mercure.rocks/authorization-detail", "actions", List.of(action),
                "topics", matchers);
    }

    /** @return a topic matcher object; {@code type} null for none (exact by default) */
    public static Map<String, String> matcher(String match, String type) {
        return type == null ? Map.of("match", match) : Map.of("match", match, "match_type", type);
    }

    /** @return RFC 9068 claims of {@link #ISSUER} for {@link #RESOURCE}, valid an hour, with these details */
    public static JWTClaimsSet.Builder accessClaims(List<Map<String, Object>> details) {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(RESOURCE).subject("test").claim("client_id", "test")
                .issueTime(new Date()).jwtID(java.util.UUID.randomUUID().toString())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
                .claim("authorization_details", details);
    }

    /** @return an access token ({@code typ: at+jwt}) signed with {@code alg} and {@code signer} */
    public static String accessToken(JWTClaimsSet claims, String typ) {
        return signTyped(JWSAlgorithm.HS256, macSigner(SECRET.getBytes(StandardCharsets.UTF_8)), claims, typ);
    }

    /** @return an RS256 access token with {@link #RSA} */
    public static String rsAccessToken(JWTClaimsSet claims) {
        return signTyped(JWSAlgorithm.RS256, new RSASSASigner((RSAPrivateKey) RSA.getPrivate()), claims, "at+jwt");
    }

    private static String signTyped(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims, String typ) {
        JWSHeader.Builder h = new JWSHeader.Builder(alg);
        if (typ != null) {
            h.type(new com.nimbusds.jose.JOSEObjectType(typ));
        }
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** @return a new Ed25519 key pair */
    public static KeyPair ed25519() {
        return edKeyPair("Ed25519");
    }

    /** @return a new Ed448 key pair */
    public static KeyPair ed448() {
        return edKeyPair("Ed448");
    }

    private static KeyPair edKeyPair(String curve) {
        try {
            return KeyPairGenerator.getInstance(curve).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Signs a token with {@code alg: EdDSA} using the JDK's Ed25519 or Ed448, as the key's curve
     * says (Nimbus's signer needs Google Tink, which the tests do not carry).
     *
     * @param typ the header's typ, or null for none
     * @return the compact token
     */
    public static String edDsa(KeyPair pair, JWTClaimsSet claims, String typ) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"alg\":\"EdDSA\"" + (typ == null ? "" : ",\"typ\":\"" + typ + "\"") + "}";
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        try {
            java.security.Signature s = java.security.Signature.getInstance("EdDSA");
            s.initSign(pair.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64.encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the header value of a token */
    public static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }
}
