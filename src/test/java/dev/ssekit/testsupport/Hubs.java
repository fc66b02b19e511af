package dev.ssekit.testsupport;

import dev.ssekit.app.embedded.EmbeddedHub;

import java.util.Map;

/** Embedded hubs on loopback with settings given as system properties for the start only. */
public final class Hubs {
    private Hubs() {
    }

    /**
     * Starts a hub that reads {@code settings} (they are checked and read at start-up, then cleared,
     * so hubs of other tests do not see them). Synchronized: two starts must not mix their settings.
     */
    public static synchronized EmbeddedHub start(Map<String, String> settings) throws Exception {
        settings.forEach(System::setProperty);
        try {
            return EmbeddedHub.start("127.0.0.1", 0);
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }
}
