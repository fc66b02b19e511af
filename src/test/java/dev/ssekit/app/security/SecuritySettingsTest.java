package dev.ssekit.app.security;

import dev.ssekit.internal.Settings;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every security setting is checked at start-up, naming the key, never echoing a secret. */
class SecuritySettingsTest {
    private static SecuritySettings read(Map<String, String> values) {
        return SecuritySettings.read(Settings.of(values));
    }

    private static String refused(Map<String, String> values) {
        return assertThrows(IllegalArgumentException.class, () -> read(values)).getMessage();
    }

    @Test
    void read_defaults_safe() {
        SecuritySettings s = read(Map.of());
        assertNull(s.verifier());
        assertFalse(s.anonymousPublish());
        assertFalse(s.anonymousSet());
        assertEquals(Set.of(), s.corsOrigins());
        assertEquals(4 * 1024 * 1024, s.maxFormSize());
        // The development default never overrides an explicit choice.
        assertFalse(read(Map.of("ssekit.hub.anonymous.publish", "false")).withDevelopmentAnonymousPublish()
                .anonymousPublish());
    }

    @Test
    void read_shortSecret_refusedWithoutShowingIt() {
        String message = refused(Map.of("ssekit.hub.jwt.secret", "hunter2-short"));
        assertEquals("invalid setting ssekit.hub.jwt.secret (value not shown): expected at least 32 bytes "
                + "(256 bits), as HS256 requires; it has 13", message);
        assertFalse(message.contains("hunter2"));
    }

    @Test
    void read_algorithms_mustBeKnownAndMatchAKey() {
        assertEquals("invalid setting ssekit.hub.jwt.algorithms=\"none\": expected a comma-separated list of HS256, "
                + "HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (\"none\" is not one; "
                + "none is never accepted)", refused(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET,
                "ssekit.hub.jwt.algorithms", "none")));
        assertEquals("invalid setting ssekit.hub.jwt.algorithms=\"RS256\": expected algorithms the configured keys "
                + "can verify: RS256 needs an RSA key in ssekit.hub.jwt.publicKey",
                refused(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET, "ssekit.hub.jwt.algorithms", "RS256")));
        assertEquals("invalid setting ssekit.hub.jwt.algorithms=\"HS512\": expected algorithms the configured keys "
                + "can verify: HS512 needs a secret of at least 64 bytes",
                refused(Map.of("ssekit.hub.jwt.secret", Tokens.SECRET, "ssekit.hub.jwt.algorithms", "HS512")));
        assertEquals("invalid setting ssekit.hub.jwt.algorithms=\"ES256\": expected algorithms the configured keys "
                + "can verify: ES256 needs an EC key of its curve in ssekit.hub.jwt.publicKey",
                refused(Map.of("ssekit.hub.jwt.publicKey", Tokens.pem(Tokens.RSA.getPublic()),
                        "ssekit.hub.jwt.algorithms", "ES256")));
        assertEquals("invalid setting ssekit.hub.jwt.algorithms=\"HS256\": no key to verify with; set "
                + "ssekit.hub.jwt.secret or ssekit.hub.jwt.publicKey", refused(Map.of("ssekit.hub.jwt.algorithms", "HS256")));
    }

    @Test
    void read_publicKey_pemOnly() {
        assertTrue(refused(Map.of("ssekit.hub.jwt.publicKey", "not a key")).startsWith(
                "invalid setting ssekit.hub.jwt.publicKey=\"not a key\": expected a PEM public key, RSA, EC, Ed25519 or Ed448"));
        // Escaped line breaks, as environment variables often hold them, are fine.
        String oneLine = Tokens.pem(Tokens.EC.getPublic()).replace("\n", "\\n");
        assertEquals("JWT ES256, clock skew 0 s, no access tokens (no issuer configured), old-revision tokens (mercure claim), "
                + "anonymous publishing off, CORS origins none, max form 4194304 bytes, Mercure revisions: current + old",
                read(Map.of("ssekit.hub.jwt.publicKey", oneLine)).describe());
    }

    @Test
    void read_otherKeys_checked() {
        assertEquals("invalid setting ssekit.hub.anonymous.publish=\"yes\": expected one of true, false",
                refused(Map.of("ssekit.hub.anonymous.publish", "yes")).replace("false, true", "true, false"));
        assertEquals("invalid setting ssekit.hub.cors.origins=\"https://a.example/path\": expected a comma-separated "
                + "list of origins such as https://app.example.com or http://localhost:3000 (scheme, host and port "
                + "only), or *", refused(Map.of("ssekit.hub.cors.origins", "https://a.example/path")));
        assertEquals("invalid setting ssekit.hub.max.form.size=\"10\": expected a size from 1KiB to below 2GiB",
                refused(Map.of("ssekit.hub.max.form.size", "10")));
        assertEquals(Set.of("https://a.example", "http://localhost:3000"),
                read(Map.of("ssekit.hub.cors.origins", "https://A.example, http://localhost:3000")).corsOrigins());
    }

    @Test
    void topicSelector_exactWildcardAndTemplates() {
        assertTrue(TopicSelector.of("*").matches("anything"));
        assertTrue(TopicSelector.of("https://e.com/b/{id}").matches("https://e.com/b/1"));
        assertFalse(TopicSelector.of("https://e.com/b/{id}").matches("https://e.com/b/1/c"));
        assertTrue(TopicSelector.of("https://e.com/{+path}").matches("https://e.com/b/1/c"));
        assertTrue(TopicSelector.of("a.b{").matches("a.b{"), "not a template: exact");
        assertFalse(TopicSelector.of("a.b{").matches("a.bc"));
        assertFalse(TopicSelector.of("x.y").matches("xzy"), "literal parts are not regular expressions");
    }
}
