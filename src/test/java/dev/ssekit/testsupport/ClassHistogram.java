package dev.ssekit.testsupport;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * The live objects of this JVM by class, after a full collection: the JVM's own
 * {@code GC.class_histogram} (what {@code jcmd PID GC.class_histogram} prints), run in process.
 *
 * @param rows  class name to {instances, bytes}
 * @param total bytes of every live object
 */
public record ClassHistogram(Map<String, long[]> rows, long total) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    /** @return the histogram now, after a full collection */
    public static ClassHistogram now() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> rows = new HashMap<>();
        long total = 0;
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                rows.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
            Matcher t = TOTAL.matcher(line);
            if (t.find()) {
                total = Long.parseLong(t.group(2));
            }
        }
        return new ClassHistogram(rows, total);
    }

    /** @return the live instances of {@code className} (a name as the JVM prints it, e.g. {@code [B}) */
    public long count(String className) {
        long[] row = rows.get(className);
        return row == null ? 0 : row[0];
    }

    /** @return the bytes of the live instances of {@code className} */
    public long bytes(String className) {
        long[] row = rows.get(className);
        return row == null ? 0 : row[1];
    }

    /** @return the bytes of every class whose name starts with {@code prefix} */
    public long bytesOf(String prefix) {
        return rows.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue()[1]).sum();
    }

    /** @return the {@code n} classes that grew most since {@code before}, with their growth divided by {@code per} */
    public List<String> largestGrowth(ClassHistogram before, int n, int per) {
        return rows.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue()[1] - before.bytes(e.getKey())))
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(n)
                .map(e -> e.getKey() + " " + e.getValue() / per).toList();
    }
}
