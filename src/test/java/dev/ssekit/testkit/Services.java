package dev.ssekit.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Service-backed tests: they skip, saying why, when the service is unreachable, unless
 * {@code SSEKIT_REQUIRE_SERVICES=1} (as in CI), where an unreachable service fails them.
 */
public final class Services {
    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";
    /** The tables a JDBC store makes under its prefix, its outbox's included. */
    private static final String[] STORE_TABLES = {"event_topic", "event", "topic", "meta", "outbox"};

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

    /** @return a data source on the test database, database {@code test} at 127.0.0.1:5432 */
    public static PGSimpleDataSource postgres() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(POSTGRES_URL);
        ds.setUser(POSTGRES_USER);
        return ds;
    }

    /** @return a table prefix no other test uses: {@code stem}, ten random hex digits and {@code _} */
    public static String tablePrefix(String stem) {
        return stem + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
    }

    /** Drops the tables of the JDBC store with table prefix {@code prefix} from the test database. */
    public static void dropStoreTables(String prefix) throws SQLException {
        dropStoreTables(postgres(), prefix);
    }

    /** Drops the tables of the JDBC store with table prefix {@code prefix} from {@code db}. */
    public static void dropStoreTables(DataSource db, String prefix) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            for (String table : STORE_TABLES) {
                s.execute("DROP TABLE IF EXISTS " + prefix + table);
            }
        }
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
        missing(name + " is not reachable at 127.0.0.1:" + port + " (" + failure.getMessage() + ")");
    }

    /**
     * Skips the test saying why, or fails it under {@code SSEKIT_REQUIRE_SERVICES=1} (CI), where a
     * test must never pass by skipping.
     *
     * @param message what is missing
     */
    public static void missing(String message) {
        if ("1".equals(System.getenv("SSEKIT_REQUIRE_SERVICES"))) {
            Assertions.fail(message + ", and SSEKIT_REQUIRE_SERVICES=1 requires it");
        }
        Assumptions.abort(message + ": skipped; set SSEKIT_REQUIRE_SERVICES=1 to make this a failure");
    }
}
