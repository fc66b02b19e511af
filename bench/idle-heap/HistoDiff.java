import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two `jcmd PID GC.class_histogram` outputs (each taken after a full collection): heap per
 * stream, the classes that grew most, and ssekit's own classes. Usage: java HistoDiff.java BEFORE AFTER N [TOP]
 */
public class HistoDiff {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    record Row(String name, long count, long bytes) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, long[]> a = new HashMap<>();
        Map<String, long[]> b = new HashMap<>();
        long ta = load(Path.of(args[0]), a);
        long tb = load(Path.of(args[1]), b);
        int n = Integer.parseInt(args[2]);
        int top = args.length > 3 ? Integer.parseInt(args[3]) : 25;
        System.out.printf("heap after GC: %.1f MB -> %.1f MB: %.2f KB per stream (%,d streams)%n",
                ta / 1e6, tb / 1e6, (tb - ta) / (double) n / 1024, n);
        List<Row> rows = new ArrayList<>();
        for (String k : union(a, b)) {
            long[] x = a.getOrDefault(k, new long[2]);
            long[] y = b.getOrDefault(k, new long[2]);
            rows.add(new Row(k, y[0] - x[0], y[1] - x[1]));
        }
        rows.sort((p, q) -> Long.compare(q.bytes, p.bytes));
        System.out.printf("%10s %9s  %s%n", "B/stream", "n/stream", "class");
        for (Row r : rows.subList(0, Math.min(top, rows.size()))) {
            System.out.printf("%10.1f %9.2f  %s%n", r.bytes / (double) n, r.count / (double) n, r.name);
        }
        long own = rows.stream().filter(r -> r.name.startsWith("dev.ssekit.")).mapToLong(Row::bytes).sum();
        System.out.printf("dev.ssekit.* per stream: %.1f B%n", own / (double) n);
        rows.stream().filter(r -> r.name.startsWith("dev.ssekit.") && Math.abs(r.bytes) >= 4L * n)
                .forEach(r -> System.out.printf("%10.1f %9.2f  %s%n", r.bytes / (double) n, r.count / (double) n, r.name));
    }

    private static List<String> union(Map<String, long[]> a, Map<String, long[]> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
        return keys;
    }

    private static long load(Path file, Map<String, long[]> into) throws Exception {
        long total = 0;
        for (String line : Files.readAllLines(file)) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                into.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
            Matcher t = TOTAL.matcher(line);
            if (t.find()) {
                total = Long.parseLong(t.group(2));
            }
        }
        return total;
    }
}
