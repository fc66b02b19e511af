package dev.ssekit.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ssekit's delivery-lag histogram ({@code ssekit_delivery_lag_seconds}, from the publish the hub
 * accepted to the frame written to a subscriber) read from two scrapes of the server's metrics, set
 * beside the latency the bench's clients measured over the same deliveries (from the publish call to
 * the event parsed): issue 23's check that the metric tells what clients see.
 */
final class LagHistogram {
    private static final Pattern BUCKET = Pattern.compile(
            "(?m)^ssekit_delivery_lag_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+]+)$");

    private LagHistogram() {
    }

    /** @return one line: the histogram's p50 and p99 between the scrapes, and the clients' */
    static String compare(String before, String after, int[] clientMicros) {
        Map<Double, Double> delta = buckets(after);
        buckets(before).forEach((le, n) -> delta.merge(le, -n, Double::sum));
        double total = delta.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        return String.format(Locale.ROOT, "delivery lag from ssekit's histogram (%.0f deliveries measured): p50 %s, p99 %s "
                        + "(bucket bounds around them: %s, %s); measured by the clients (%d): p50 %s, p99 %s",
                total, ms(quantile(delta, 0.50)), ms(quantile(delta, 0.99)), bounds(delta, 0.50), bounds(delta, 0.99),
                clientMicros.length, ms(pct(clientMicros, 0.50) / 1e6), ms(pct(clientMicros, 0.99) / 1e6));
    }

    /** Cumulative counts by upper bound, summed over the histogram's label sets (topics). */
    private static Map<Double, Double> buckets(String text) {
        Map<Double, Double> counts = new TreeMap<>();
        Matcher m = BUCKET.matcher(text);
        while (m.find()) {
            double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
            counts.merge(le, Double.parseDouble(m.group(2)), Double::sum);
        }
        return counts;
    }

    /** As Prometheus's histogram_quantile: linear within the bucket that holds the rank. */
    private static double quantile(Map<Double, Double> cumulative, double q) {
        double total = cumulative.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lower; // past the last finite bound: Prometheus answers that bound too
                }
                double inBucket = bucket.getValue() - below;
                return lower + (bucket.getKey() - lower) * (inBucket == 0 ? 0 : (rank - below) / inBucket);
            }
            lower = bucket.getKey();
            below = bucket.getValue();
        }
        return lower;
    }

    private static String bounds(Map<Double, Double> cumulative, double q) {
        double total = cumulative.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        double lower = 0;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (total > 0 && bucket.getValue() >= q * total) {
                return "(" + ms(lower) + ", " + (bucket.getKey().isInfinite() ? "+Inf" : ms(bucket.getKey())) + "]";
            }
            lower = bucket.getKey();
        }
        return "none";
    }

    private static double pct(int[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String ms(double seconds) {
        return Double.isNaN(seconds) ? "n/a" : String.format(Locale.ROOT, "%.1f ms", seconds * 1000);
    }
}
