package dev.ssekit.app.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.util.Set;

/**
 * Verifies {@code EdDSA} (RFC 8037) signatures with the JDK's own Ed25519 and Ed448
 * ({@code java.security.Signature} "EdDSA", Java 15 and later): Nimbus's verifier for them needs
 * Google Tink, which neither the WAR nor the servers carry. Only the header algorithms
 * {@code EdDSA} and {@code Ed25519}/{@code Ed448} matching the key's curve are accepted. Thread-safe:
 * each verification takes its own {@link Signature}.
 */
final class EdDsaVerifier implements JWSVerifier {
    private final EdECPublicKey key;
    private final JCAContext context = new JCAContext();

    EdDsaVerifier(EdECPublicKey key) {
        this.key = key;
    }

    /** @return whether {@code key} is an Edwards-curve key this verifier takes */
    static boolean isEdKey(PublicKey key) {
        return key instanceof EdECPublicKey;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("EdDSA");
            s.initVerify(key);
            s.update(signingInput);
            return s.verify(signature.decode());
        } catch (GeneralSecurityException e) {
            return false; // a signature of the wrong length or encoding does not verify
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
        return context;
    }
}
