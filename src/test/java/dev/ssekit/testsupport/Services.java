package dev.ssekit.testsupport;

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

    /** The first of the test cluster's six ports (three primaries, three replicas): 7001 to 7006. */
    public static final int REDIS_CLUSTER_PORT = 7001;
    /** How long the test cluster's nodes wait for a node before they count it failed. */
    private static final int REDIS_CLUSTER_NODE_TIMEOUT_MS = 5000;
    /** Why this JVM could not start the test cluster, once it tried; null before, "" if it did. */
    private static String clusterStart;

    /**
     * Skips or fails the calling test unless the test Redis Cluster answers at 127.0.0.1:7001. When
     * nothing answers there, starts it once per JVM (as {@code .ci/run} does), if {@code redis-server}
     * is installed and the ports are free; it is left running, like the other services.
     */
    public static synchronized void requireRedisCluster() {
        if (unreachable(REDIS_CLUSTER_PORT) == null) {
            return;
        }
        if (clusterStart == null) {
            clusterStart = startRedisCluster(REDIS_CLUSTER_PORT, REDIS_CLUSTER_NODE_TIMEOUT_MS);
        }
        if (clusterStart.isEmpty() && unreachable(REDIS_CLUSTER_PORT) == null) {
            return;
        }
        missing("Redis Cluster is not reachable at 127.0.0.1:" + REDIS_CLUSTER_PORT
                + " and could not be started (" + clusterStart + ")");
    }

    /**
     * Skips or fails the calling test unless a Redis Cluster of its own starts on {@code firstPort}
     * and the five ports after it; the test stops it with {@link #stopRedisCluster}.
     */
    public static void requireOwnRedisCluster(int firstPort, int nodeTimeoutMillis) {
        String why = startRedisCluster(firstPort, nodeTimeoutMillis);
        if (!why.isEmpty()) {
            missing("A Redis Cluster of the test's own could not be started on 127.0.0.1:" + firstPort + " (" + why + ")");
        }
    }

    /**
     * Starts a Redis Cluster of six nodes on {@code firstPort} and the five ports after it (three
     * primaries with a replica each), with {@code .ci/redis-cluster}.
     *
     * @return "" once the cluster serves every slot with its replicas in sync, or why it could not start
     */
    public static String startRedisCluster(int firstPort, int nodeTimeoutMillis) {
        return redisCluster("start", firstPort, nodeTimeoutMillis);
    }

    /** Starts one stopped node of a test cluster again on its old state; returns "" or why not. */
    public static String restartRedisClusterNode(int port, int nodeTimeoutMillis) {
        return redisCluster("restart", port, nodeTimeoutMillis);
    }

    /** Stops every node of the test cluster on {@code firstPort} and the five ports after it. */
    public static String stopRedisCluster(int firstPort) {
        return redisCluster("stop", firstPort, 0);
    }

    private static String redisCluster(String command, int port, int nodeTimeoutMillis) {
        java.nio.file.Path script = java.nio.file.Path.of(".ci", "redis-cluster").toAbsolutePath();
        if (!java.nio.file.Files.isExecutable(script)) {
            return script + " is missing";
        }
        try {
            Process p = new ProcessBuilder(script.toString(), command, Integer.toString(port),
                    Integer.toString(nodeTimeoutMillis)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "redis-cluster " + command + " did not end within 90 s";
            }
            return p.exitValue() == 0 ? "" : "redis-cluster " + command + " exited with " + p.exitValue() + ": " + output.trim();
        } catch (IOException e) {
            return "cannot run " + script + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
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
