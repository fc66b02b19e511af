package dev.ssekit.internal;

import dev.ssekit.SseKitException;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** One shared JSON-B instance (thread-safe by its contract), made on first use. */
public final class Json {
    private static volatile Jsonb jsonb;

    private Json() {
    }

    /**
     * @return the shared JSON-B instance
     * @throws SseKitException if no JSON-B implementation is on the class path
     */
    public static Jsonb jsonb() {
        Jsonb j = jsonb;
        if (j == null) {
            synchronized (Json.class) {
                j = jsonb;
                if (j == null) {
                    try {
                        j = JsonbBuilder.create();
                    } catch (RuntimeException | LinkageError e) {
                        throw new IllegalStateException("no JSON-B implementation found: add one (Yasson, for example; "
                                + "Jakarta EE servers provide it) or give the hub a Codec", e);
                    }
                    jsonb = j;
                }
            }
        }
        return j;
    }
}
