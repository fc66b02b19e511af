package dev.ssekit.internal.metrics;

import dev.ssekit.MetricsBinding;

/** Finds the application's metrics without loading any MicroProfile Metrics class when it has none. */
public final class Metrics {
    private Metrics() {
    }

    /**
     * @return the application's MicroProfile Metrics registry as a binding, or
     *         {@link MetricsBinding#NONE} when the server has none (WildFly's default profile)
     */
    public static MetricsBinding forApplication() {
        try {
            Class.forName("org.eclipse.microprofile.metrics.MetricRegistry", false, Metrics.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return MetricsBinding.NONE;
        }
        return MicroProfileMetrics.ifAvailable();
    }
}
