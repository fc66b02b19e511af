package dev.ssekit.bench.war;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;

/** What a server's {@code stats} resources report of its process, on the embedded server and in raw.war. */
public final class ProcessStats {
    private ProcessStats() {
    }

    /**
     * @param gc whether to run full collections first, so that the heap is what stays live
     * @return {@code heap=<bytes> fds=<n> fdLimit=<n> threads=<n>}
     */
    public static String line(boolean gc) throws IOException {
        if (gc) {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long fds;
        try (var s = Files.list(Paths.get("/proc/self/fd"))) {
            fds = s.count();
        }
        long fdLimit = -1;
        for (String line : Files.readAllLines(Paths.get("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                fdLimit = Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
            }
        }
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        return "heap=" + heap + " fds=" + fds + " fdLimit=" + fdLimit + " threads=" + threads;
    }
}
