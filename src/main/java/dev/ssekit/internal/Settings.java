package dev.ssekit.internal;

import dev.ssekit.Hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Setting values by key, typed and checked: every error names the key and quotes the value. These
 * are the sources every ssekit setting is read from ({@link Hub#configured()}, injected hubs), and
 * an application may read its own keys from them too.
 *
 * <p>{@link #current()} reads MicroProfile Config when the application has an implementation of it
 * (Payara, WildFly with its MicroProfile subsystem). Without one (the embedded hub, plain servers)
 * it reads the same three sources MicroProfile Config reads by default, in the same order: system
 * properties, environment variables (the key, or the key in capitals with every other character an
 * underscore: {@code SSEKIT_QUEUE_CAPACITY}), then {@code META-INF/microprofile-config.properties}.
 */
public final class Settings {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kib|k|kb|mib|m|mb|gib|g|gb)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

    private final UnaryOperator<String> source;

    /** @param source gives the raw value of a key, or null when it is not set */
    public Settings(UnaryOperator<String> source) {
        this.source = source;
    }

    /** @return values from a fixed map (tests, or settings made in code) */
    public static Settings of(Map<String, String> values) {
        return new Settings(values::get);
    }

    /** @return the application's configuration, as the class documentation describes */
    public static Settings current() {
        UnaryOperator<String> mp = MicroProfile.source();
        return new Settings(mp != null ? mp : defaultSources());
    }

    private static UnaryOperator<String> defaultSources() {
        Properties files = propertiesFiles();
        return key -> {
            String v = System.getProperty(key);
            if (v == null) {
                v = System.getenv(key);
            }
            if (v == null) {
                v = System.getenv(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
            }
            return v != null ? v : files.getProperty(key);
        };
    }

    private static Properties propertiesFiles() {
        Properties merged = new Properties();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = Settings.class.getClassLoader();
        }
        try {
            List<URL> urls = new ArrayList<>();
            Enumeration<URL> found = loader.getResources("META-INF/microprofile-config.properties");
            while (found.hasMoreElements()) {
                urls.add(found.nextElement());
            }
            for (URL url : urls) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                p.forEach(merged::putIfAbsent); // the first file on the class path wins
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read META-INF/microprofile-config.properties: " + e.getMessage(), e);
        }
        return merged;
    }

    /** @return the trimmed value, or null when the key is unset or blank */
    public String raw(String key) {
        String v = source.apply(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** @return the value, or {@code fallback} when unset */
    public String string(String key, String fallback) {
        String v = raw(key);
        return v == null ? fallback : v;
    }

    /**
     * @return a whole number of at least {@code min}, or {@code fallback} when unset
     * @throws IllegalArgumentException naming the key and value otherwise
     */
    public int integer(String key, int fallback, int min) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.replace("_", ""));
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, v, "a whole number of at least " + min);
    }

    /**
     * @return a size in bytes ({@code 65536}, {@code 64KiB}, {@code 1MiB}) of at least 1, or
     *         {@code fallback} when unset
     * @throws IllegalArgumentException naming the key and value otherwise
     */
    public long bytes(String key, long fallback) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        Matcher m = SIZE.matcher(v);
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "kib", "k", "kb" -> 1024L;
                    case "mib", "m", "mb" -> 1024L * 1024;
                    case "gib", "g", "gb" -> 1024L * 1024 * 1024;
                    default -> 1L;
                };
                long total = Math.multiplyExact(n, unit);
                if (total >= 1) {
                    return total;
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // reported below
            }
        }
        throw invalid(key, v, "a size of at least one byte, such as 65536, 64KiB or 1MiB");
    }

    /**
     * @return a positive duration ({@code 500ms}, {@code 20s}, {@code 5m}, {@code 1h}, {@code 7d} or
     *         ISO-8601 {@code PT20S}), or {@code fallback} when unset
     * @throws IllegalArgumentException naming the key and value otherwise
     */
    public Duration duration(String key, Duration fallback) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        Duration d = null;
        Matcher m = SHORT_DURATION.matcher(v);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
                d = Duration.parse(v);
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            d = null;
        }
        if (d == null || d.isNegative() || d.isZero()) {
            throw invalid(key, v, "a positive duration such as 500ms, 20s, 5m, 1h, 7d or PT20S");
        }
        return d;
    }

    /**
     * @return the choice the value names (case-insensitive, {@code -} and {@code _} alike), or
     *         {@code fallback} when unset
     * @throws IllegalArgumentException naming the key, the value and the choices otherwise
     */
    public <E> E choice(String key, E fallback, Map<String, E> choices) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        E e = choices.get(v.toLowerCase(Locale.ROOT).replace('_', '-'));
        if (e == null) {
            throw invalid(key, v, "one of " + String.join(", ", choices.keySet()));
        }
        return e;
    }

    /** @return an error that names the key, quotes the value and says what is expected */
    public static IllegalArgumentException invalid(String key, String value, String expected) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return new IllegalArgumentException("invalid setting " + key + "=\"" + shown + "\": expected " + expected);
    }

    /** MicroProfile Config, touched only when its API is present. */
    private static final class MicroProfile {
        static UnaryOperator<String> source() {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try {
                Class.forName("org.eclipse.microprofile.config.ConfigProvider", false,
                        loader != null ? loader : Settings.class.getClassLoader());
                Class.forName("org.eclipse.microprofile.config.ConfigProvider", false, Settings.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
            try {
                org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
                return key -> config.getOptionalValue(key, String.class).orElse(null);
            } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
                return null; // the API without an implementation
            }
        }
    }
}
