package dev.ssekit.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Service-backed tests: they skip, saying why, when the service is unreachable, unless
 * {@code SSEKIT_REQUIRE_SERVICES=1} (as in CI), where an unreachable service fails them.
 */
public final class Services {
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";

    private Services() {
    }

    /** Skips or fails the calling test unless PostgreSQL listens on 127.0.0.1:5432. */
    public static void requirePostgres() {
        require("PostgreSQL", 5432);
    }

    /** Skips or fails the calling test unless Redis listens on 127.0.0.1:6379. */
    public static void requireRedis() {
        require("Redis", 6379);
    }

    /** @return whether Redis listens on 127.0.0.1:6379 now (for a deployment that picks its store) */
    public static boolean redisReachable() {
        return unreachable(6379) == null;
    }

    /** @return why nothing listens on the loopback port, or null if something does */
    private static IOException unreachable(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private static void require(String name, int port) {
        IOException failure = unreachable(port);
        if (failure == null) {
            return;
        }
        String message = name + " is not reachable at 127.0.0.1:" + port + " (" + failure.getMessage() + ")";
        if ("1".equals(System.getenv("SSEKIT_REQUIRE_SERVICES"))) {
            Assertions.fail(message + ", and SSEKIT_REQUIRE_SERVICES=1 requires it");
        }
        Assumptions.abort(message + ": skipped; set SSEKIT_REQUIRE_SERVICES=1 to make this a failure");
    }
}
