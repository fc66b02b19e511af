package dev.ssekit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The committed API listings ({@code api/ssekit.api}, {@code api/ssekit-testkit.api}) match the compiled
 * classes, so that every change to the public API shows as a diff of those files in review.
 *
 * <p>The API of an artifact is every package it holds except {@code internal} ones (and, for the library,
 * the hub app, which is not in its jar): a new package is API until it is named {@code internal}. A line
 * is written for every public type, and for each public or protected constructor, method and field it
 * declares or inherits from a superclass that is not itself public, with generic types
 * ({@code toGenericString()}), sorted. When the code and a file disagree the test fails with the diff
 * and the command that rewrites the file ({@value #UPDATE}).
 */
class ApiListingTest {
    /** The command that rewrites the listings from the compiled classes. */
    static final String UPDATE = "mvn test -Dtest=ApiListingTest -Dssekit.api.update=true";

    @Test
    void libraryListing_matchesTheCompiledClasses() throws Exception {
        check(Path.of("api/ssekit.api"), "dev.ssekit:ssekit (the library jar)", classesDir(),
                pkg -> !isInternal(pkg) && !pkg.equals("dev.ssekit.app") && !pkg.startsWith("dev.ssekit.app."));
    }

    @Test
    void testkitListing_matchesTheCompiledClasses() throws Exception {
        check(Path.of("api/ssekit-testkit.api"), "dev.ssekit:ssekit:testkit (the test kit jar)",
                classesDir().resolveSibling("testkit-classes"), pkg -> !isInternal(pkg));
    }

    @Test
    void listings_nameNoInternalType() throws Exception {
        for (Path file : List.of(Path.of("api/ssekit.api"), Path.of("api/ssekit-testkit.api"))) {
            List<String> leaks = Files.readAllLines(file).stream()
                    .filter(l -> l.contains("dev.ssekit.internal.") || l.contains("dev.ssekit.app.")
                            || l.contains(".internal."))
                    .toList();
            assertEquals(List.of(), leaks, file + ": API signatures that name a type users must not use");
        }
    }

    private static boolean isInternal(String pkg) {
        return Arrays.asList(pkg.split("\\.")).contains("internal");
    }

    private static Path classesDir() throws URISyntaxException {
        return Path.of(Event.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static void check(Path file, String artifact, Path classes, java.util.function.Predicate<String> api)
            throws Exception {
        String actual = listing(artifact, classes, api);
        if (Boolean.getBoolean("ssekit.api.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        String expected = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (!expected.equals(actual)) {
            fail(file + " does not match the compiled classes of " + artifact + " ('-' only in the file, '+' only in "
                    + "the code):\n" + diff(expected.lines().toList(), actual.lines().toList())
                    + "\nIf the API change is intended, rewrite the file with\n    " + UPDATE
                    + "\nand commit it with the change, so that review sees it.");
        }
    }

    /** @return the listing of the API packages under {@code classes} */
    static String listing(String artifact, Path classes, java.util.function.Predicate<String> api)
            throws IOException, ClassNotFoundException {
        Map<String, List<String>> types = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path f : files) {
            String name = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
            name = name.substring(0, name.length() - ".class".length());
            int dot = name.lastIndexOf('.');
            if (name.contains("$") || name.endsWith("package-info") || dot < 0 || !api.test(name.substring(0, dot))) {
                continue;
            }
            addType(Class.forName(name, false, ApiListingTest.class.getClassLoader()), types);
        }
        StringBuilder out = new StringBuilder();
        out.append("# The public API of ").append(artifact).append(", read from its compiled classes by ApiListingTest.\n");
        long topLevel = types.keySet().stream().filter(t -> !t.contains("$")).count();
        out.append("# ").append(types.size()).append(" public types (").append(topLevel).append(" top-level, ")
                .append(types.size() - topLevel).append(" nested). Do not edit: after an intended change, run\n");
        out.append("#     ").append(UPDATE).append('\n');
        for (List<String> lines : types.values()) {
            out.append('\n');
            lines.forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    private static void addType(Class<?> type, Map<String, List<String>> types) {
        boolean visible = type.getEnclosingClass() == null ? Modifier.isPublic(type.getModifiers())
                : Modifier.isPublic(type.getModifiers()) || Modifier.isProtected(type.getModifiers());
        if (!visible || type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(header(type));
        TreeSet<String> members = new TreeSet<>();
        for (Class<?> c = type; c != null && (c == type || !Modifier.isPublic(c.getModifiers()));
             c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (visible(f) && !f.isSynthetic()) {
                    members.add(strip(f.toGenericString(), f));
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
                    String line = strip(m.toGenericString(), m);
                    if (m.getDefaultValue() != null) {
                        line += " default " + defaultValue(m.getDefaultValue());
                    }
                    members.add(line);
                }
            }
            if (c == type) {
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (visible(k) && !k.isSynthetic()) {
                        members.add(k.toGenericString());
                    }
                }
            }
        }
        members.forEach(m -> lines.add("  " + m));
        types.put(type.getName(), lines);
        for (Class<?> nested : type.getDeclaredClasses()) {
            addType(nested, types);
        }
    }

    private static boolean visible(Member m) {
        return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
    }

    /** The type's modifiers, kind, name and type parameters, then what it extends and implements. */
    private static String header(Class<?> type) {
        StringBuilder line = new StringBuilder(type.toGenericString());
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class) {
            line.append(" extends ").append(superclass.getTypeName());
        }
        List<String> interfaces = Arrays.stream(type.getGenericInterfaces()).map(Type::getTypeName)
                .filter(n -> !(type.isAnnotation() && n.equals("java.lang.annotation.Annotation"))).toList();
        if (!interfaces.isEmpty()) {
            line.append(type.isInterface() ? " extends " : " implements ").append(String.join(", ", interfaces));
        }
        return line.toString();
    }

    /** Drops the declaring type from a member's signature: the member is listed under its type. */
    private static String strip(String signature, Member m) {
        String qualified = m.getDeclaringClass().getTypeName() + "." + m.getName();
        int at = signature.indexOf(" " + qualified + (m instanceof Field ? "" : "("));
        return at < 0 ? signature : signature.substring(0, at + 1) + signature.substring(at + 1 + qualified.length()
                - m.getName().length());
    }

    private static String defaultValue(Object value) {
        if (value instanceof String s) {
            return '"' + s + '"';
        }
        if (value instanceof Object[] array) {
            return Arrays.stream(array).map(ApiListingTest::defaultValue).collect(Collectors.joining(", ", "{", "}"));
        }
        return value instanceof Class<?> c ? c.getTypeName() + ".class" : String.valueOf(value);
    }

    /**
     * A line diff (longest common subsequence): removed lines as {@code -}, added lines as {@code +}, each under
     * the type it belongs to.
     */
    static String diff(List<String> expected, List<String> actual) {
        int n = expected.size();
        int m = actual.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = expected.get(i).equals(actual.get(j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        String type = null;
        String shownType = null;
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            String line;
            char sign;
            if (i < n && j < m && expected.get(i).equals(actual.get(j))) {
                line = expected.get(i);
                sign = ' ';
                i++;
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
                line = actual.get(j++);
                sign = '+';
            } else {
                line = expected.get(i++);
                sign = '-';
            }
            boolean isType = !line.isEmpty() && !line.startsWith(" ") && !line.startsWith("#");
            if (isType) {
                type = line;
            }
            if (sign != ' ') {
                if (!isType && type != null && !type.equals(shownType)) {
                    out.append("  ").append(type).append('\n');
                }
                shownType = isType ? line : type;
                out.append(sign).append(' ').append(line).append('\n');
            }
        }
        return out.toString();
    }
}
