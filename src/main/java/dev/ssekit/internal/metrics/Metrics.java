package dev.ssekit.internal.metrics;

import dev.ssekit.spi.MetricsBinding;

/**
 * Finds the application's metrics API without loading any class that names one the application does
 * not have: the library's only required dependencies are what a Jakarta EE server provides.
 */
public final class Metrics {
    private Metrics() {
    }

    /**
     * MicroProfile Metrics first, where the server has a registry for the application (Payara), as
     * ssekit has always reported there; else OpenTelemetry, where the application has one (a
     * MicroProfile Telemetry server's bean, the embedded hub's own, or a global SDK); else none.
     *
     * @return the binding, or {@link MetricsBinding#NONE} when the application has neither (WildFly's
     *         default profile)
     */
    public static MetricsBinding forApplication() {
        if (visible("org.eclipse.microprofile.metrics.MetricRegistry")) {
            MetricsBinding microProfile = MicroProfileMetrics.ifAvailable();
            if (microProfile != MetricsBinding.NONE) {
                return microProfile;
            }
        }
        if (visible("io.opentelemetry.api.OpenTelemetry")) {
            return OpenTelemetryMetrics.ifAvailable();
        }
        return MetricsBinding.NONE;
    }

    private static boolean visible(String type) {
        try {
            Class.forName(type, false, Metrics.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
