package dev.ssekit.internal.config;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The settings table of docs/configuration.md lists exactly the keys the library reads: the
 * {@code ssekit.*} constants of {@link SseKitConfig}. A key added to the code without a row, or a row
 * left behind by a renamed key, fails with the names that differ.
 */
class ConfigurationDocsTest {
    /** A table row's first cell: a key, then keys written relative to it ({@code `a.b.c`, `.d`}). */
    private static final Pattern ROW = Pattern.compile("^\\| (`ssekit\\.[^|]+) \\|");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void configurationTable_listsEveryKeyTheCodeReadsAndNoOther() throws Exception {
        Set<String> documented = documentedKeys(Files.readAllLines(Path.of("docs/configuration.md")));
        Set<String> read = keysInCode();
        Set<String> undocumented = new TreeSet<>(read);
        undocumented.removeAll(documented);
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(read);
        assertEquals(List.of(), List.copyOf(undocumented),
                "keys SseKitConfig reads that docs/configuration.md's settings table does not list");
        assertEquals(List.of(), List.copyOf(unknown),
                "keys docs/configuration.md's settings table lists that SseKitConfig does not read");
    }

    /** The keys of the settings table in the "Configuration" section, with shorthands expanded. */
    static Set<String> documentedKeys(List<String> lines) {
        Set<String> keys = new TreeSet<>();
        boolean inSection = false;
        for (String line : lines) {
            if (line.startsWith("## ")) {
                inSection = line.equals("## Configuration");
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (!inSection || !row.find()) {
                continue;
            }
            Matcher cell = CODE.matcher(row.group(1));
            String first = null;
            while (cell.find()) {
                String key = cell.group(1);
                if (first == null) {
                    first = key;
                    keys.add(key);
                } else if (key.startsWith(".")) {
                    // `.max.bytes` after `ssekit.history.memory.max.events`: it replaces as many
                    // trailing parts as it has.
                    int parts = key.split("\\.").length - 1;
                    String base = first;
                    for (int i = 0; i < parts; i++) {
                        base = base.substring(0, base.lastIndexOf('.'));
                    }
                    keys.add(base + key);
                } else {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    /** The values of SseKitConfig's public {@code String} constants that are keys. */
    static Set<String> keysInCode() throws IllegalAccessException {
        Set<String> keys = new TreeSet<>();
        for (Field f : SseKitConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
                    && f.get(null) instanceof String value && value.startsWith("ssekit.")) {
                keys.add(value);
            }
        }
        return keys;
    }

    @Test
    void documentedKeys_expandsShorthands() {
        assertEquals(Set.of("ssekit.history.memory.max.events", "ssekit.history.memory.max.bytes",
                        "ssekit.history.jdbc.user", "ssekit.history.jdbc.password"),
                documentedKeys(List.of("## Configuration", "| Key | Default | Meaning |",
                        "| `ssekit.history.memory.max.events`, `.max.bytes` | `100000`, `64MiB` | bounds |",
                        "| `ssekit.history.jdbc.user`, `.password` | | credentials |",
                        "## Bounds", "| `ssekit.other` | x | not a setting row of the table |")));
    }
}
