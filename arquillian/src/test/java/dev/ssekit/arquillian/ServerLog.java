package dev.ssekit.arquillian;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The log file of the server under test (system property {@code ssekit.server.log}, set per server by the pom). */
final class ServerLog {
    private final Path file;

    private ServerLog(Path file) {
        this.file = file;
    }

    /** @return the server's log; fails when the pom did not name it or the server does not write it */
    static ServerLog current() {
        String name = System.getProperty("ssekit.server.log");
        if (name != null && !Files.isRegularFile(Path.of(name))) {
            name = name + ".0"; // Payara Micro's --logtofile names its first file so
        }
        if (name == null || !Files.isRegularFile(Path.of(name))) {
            throw new IllegalStateException("no server log at ssekit.server.log=" + System.getProperty("ssekit.server.log"));
        }
        return new ServerLog(Path.of(name));
    }

    /** @return where the log ends now */
    long mark() throws IOException {
        return Files.size(file);
    }

    /** @return the lines logged since {@code mark} at error level (WildFly's ERROR, Payara's SEVERE) */
    List<String> errorsSince(long mark) throws IOException {
        return linesSince(mark).stream().filter(l -> l.contains(" ERROR ") || l.contains("SEVERE")).toList();
    }

    /**
     * @return the log records since {@code mark}, a record's continuation lines (a stack trace)
     *         joined to it; the servers log at INFO and above, so any record was logged above DEBUG
     */
    List<String> recordsSince(long mark) throws IOException {
        List<String> records = new java.util.ArrayList<>();
        for (String line : linesSince(mark)) {
            if (line.isBlank()) {
                continue;
            }
            boolean continuation = line.startsWith("\t") || line.startsWith(" ") || line.startsWith("Caused by")
                    || line.startsWith("java.") || line.startsWith("...");
            if (continuation && !records.isEmpty()) {
                records.set(records.size() - 1, records.get(records.size() - 1) + "\n" + line);
            } else {
                records.add(line);
            }
        }
        return records;
    }

    /** @return the lines logged since {@code mark} */
    List<String> linesSince(long mark) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            byte[] tail = new byte[(int) Math.max(0, length - mark)];
            in.seek(Math.min(mark, length));
            in.readFully(tail);
            return Arrays.asList(new String(tail, StandardCharsets.UTF_8).split("\n"));
        }
    }
}
