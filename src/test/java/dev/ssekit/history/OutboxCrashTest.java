package dev.ssekit.history;

import dev.ssekit.testsupport.OutboxProcess;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transactional outbox survives a crash: a child JVM ({@link OutboxProcess}) with a standalone
 * JTA transaction manager commits transactions that save orders and broadcast them, on PostgreSQL,
 * and is killed (SIGKILL) after the commits and before their events are relayed into history (its
 * relay is held shut, so the kill lands there every time). Restarted on the same database, the
 * application relays them at start: every committed event is in history exactly once, in commit
 * order, with no gap in sequence, the rolled-back one is not, and another restart adds nothing.
 */
class OutboxCrashTest {
    private static final int COMMITS = 20;
    private final String prefix = Services.tablePrefix("tx_crash");
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        children.forEach(Process::destroyForcibly);
        try (Connection c = db(); Statement s = c.createStatement()) {
            for (String t : new String[]{"event_topic", "event", "topic", "meta", "outbox", "orders"}) {
                s.execute("DROP TABLE IF EXISTS " + prefix + t);
            }
        }
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(Services.POSTGRES_URL, Services.POSTGRES_USER, null);
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Starts the child and returns once it printed a line starting with {@code expect}: that line. */
    private String run(String expect, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                OutboxProcess.class.getName()));
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(p);
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(expect)) {
                    return line.substring(expect.length());
                }
                output.append(line).append('\n');
            }
        }
        throw new AssertionError("the child ended without printing " + expect + ":\n" + output);
    }

    @Test
    void killedAfterCommitBeforeRelay_restartDeliversEveryCommittedEventExactlyOnce() throws Exception {
        Services.requirePostgres();
        List<String> committed = List.of(run("COMMITTED ", "commit", prefix, Integer.toString(COMMITS)).split(","));
        assertEquals(COMMITS, committed.size());
        // Between the commits and the relay: the orders and their events are committed, in the outbox only.
        assertEquals(COMMITS, count("SELECT COUNT(*) FROM " + prefix + "orders"));
        assertEquals(COMMITS, count("SELECT COUNT(*) FROM " + prefix + "outbox"));
        assertEquals(0, count("SELECT COUNT(*) FROM " + prefix + "event"));
        Process crashed = children.get(0);
        crashed.destroyForcibly(); // SIGKILL
        assertTrue(crashed.waitFor(60, TimeUnit.SECONDS));

        String history = run("HISTORY ", "recover", prefix);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < COMMITS; i++) {
            expected.add(committed.get(i) + "=order-" + i);
        }
        assertEquals(expected, List.of(history.split(",")));
        assertFalse(history.contains("rolled-back"));
        assertEquals(0, count("SELECT COUNT(*) FROM " + prefix + "outbox"));
        // No gap: the relayed events have consecutive sequence numbers.
        assertEquals(COMMITS - 1, count("SELECT MAX(seq) - MIN(seq) FROM " + prefix + "event"));

        // Another start relays nothing twice.
        assertEquals(history, run("HISTORY ", "recover", prefix));
        assertEquals(COMMITS, count("SELECT COUNT(*) FROM " + prefix + "event"));
    }
}
