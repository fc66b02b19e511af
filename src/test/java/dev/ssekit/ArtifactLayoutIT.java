package dev.ssekit;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the packaged artifacts hold: the library without the app; the WAR without server parts; the
 * test kit with nothing but its own classes, which need nothing but the JDK.
 */
class ArtifactLayoutIT {
    private static List<String> entries(String property) throws IOException {
        try (JarFile file = new JarFile(System.getProperty(property))) {
            return file.stream().map(ZipEntry::getName).filter(n -> !n.endsWith("/")).toList();
        }
    }

    @Test
    void jar_holdsTheLibraryButNotTheApp() throws IOException {
        // The JDBC URL configuration's pool is an optional dependency, never inside the jar.
        List<String> jar = entries("ssekit.jar");
        assertTrue(jar.contains("dev/ssekit/Topic.class"));
        assertTrue(jar.contains("dev/ssekit/history/JdbcHistoryStore.class"));
        assertTrue(jar.contains("META-INF/beans.xml"));
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("dev/ssekit/app/")).toList());
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("com/nimbusds/")).toList(), "no JWT classes");
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("com/zaxxer/")).toList(), "no pool classes");
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("com/google/re2j/")).toList(), "no RE2/J classes");
        // The OpenTelemetry adapter is in, behind its probe; the API and any SDK are the server's.
        assertTrue(jar.contains("dev/ssekit/internal/metrics/OpenTelemetryMetrics.class"));
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("io/")).toList(), "no OpenTelemetry classes");
    }

    @Test
    void war_holdsTheHubAppTheLibraryAndWhatServersDoNotProvideOnly() throws IOException {
        List<String> war = entries("ssekit.war");
        assertTrue(war.contains("WEB-INF/classes/dev/ssekit/app/MercureResource.class"));
        assertTrue(war.contains("WEB-INF/classes/dev/ssekit/app/security/TokenVerifier.class"));
        assertTrue(war.contains("WEB-INF/beans.xml"));
        List<String> libs = war.stream().filter(n -> n.startsWith("WEB-INF/lib/")).toList();
        for (String lib : List.of("ssekit", "nimbus-jose-jwt", "re2j", "lettuce-core", "HikariCP", "slf4j-api")) {
            assertEquals(1, libs.stream().filter(n -> n.matches("WEB-INF/lib/" + lib + "-[0-9][^/]*\\.jar")).count(),
                    lib + " in WEB-INF/lib: " + libs);
        }
        // Besides those, only Lettuce's own dependencies (Netty, Reactor), which no server lends to applications.
        assertEquals(List.of(), libs.stream().filter(n -> !n.matches("WEB-INF/lib/(ssekit|nimbus-jose-jwt|re2j|lettuce-core"
                + "|HikariCP|slf4j-api|netty-[a-z0-9-]+|reactor-core|reactive-streams)-[0-9][^/]*\\.jar")).toList(),
                "WEB-INF/lib");
        assertEquals(List.of(), war.stream().filter(n -> n.startsWith("WEB-INF/classes/")
                && !n.startsWith("WEB-INF/classes/dev/ssekit/app/")).toList(), "only the app's classes");
        assertEquals(List.of(), war.stream().filter(n -> n.contains("/embedded/")).toList(), "no embedded launcher");
        // No second OpenTelemetry SDK: the hub WAR reports through its server's (MicroProfile Telemetry).
        for (String banned : List.of("jersey", "grizzly", "hk2", "weld", "yasson", "opentelemetry", "prometheus")) {
            assertEquals(List.of(), war.stream().filter(n -> n.toLowerCase().contains(banned)).toList(), banned);
        }
    }

    /**
     * The README's first path as a user's own project (src/it/shop), built by the invoker just before
     * against the installed artifacts: its WAR carries ssekit's jar and the shop's classes, and no
     * server's implementation came with them.
     */
    @Test
    void shopExample_builtAgainstThePublishedJarAlone_holdsItAndNoServerClasses() throws IOException {
        List<String> war = entries("ssekit.example.war");
        assertTrue(war.contains("WEB-INF/classes/com/example/shop/OrderResource.class"), war.toString());
        assertTrue(war.contains("WEB-INF/classes/com/example/shop/ShopApplication.class"), war.toString());
        assertEquals(List.of("WEB-INF/lib/" + new File(System.getProperty("ssekit.jar")).getName()),
                war.stream().filter(n -> n.startsWith("WEB-INF/lib/") && n.endsWith(".jar")).toList(),
                "ssekit's jar and nothing else: its dependencies a server provides are not transitive");
        assertEquals(List.of(), war.stream().filter(n -> n.contains("ShopExampleHttpTest")).toList(),
                "only the example's files");
    }

    /**
     * The README's third path in the same project: its container test (docs/testing.md) ran on Payara
     * Micro, and was not skipped (the invoker fails the build when it fails, not when it does not run).
     */
    @Test
    void shopExample_itsContainerTestRanOnPayaraMicro() throws IOException {
        String summary = Files.readString(Path.of(System.getProperty("ssekit.example.war")).resolveSibling(
                "failsafe-reports/failsafe-summary.xml"));
        assertTrue(summary.contains("<completed>1</completed>"), summary);
        assertTrue(summary.contains("<skipped>0</skipped>") && summary.contains("<failures>0</failures>")
                && summary.contains("<errors>0</errors>"), summary);
    }

    @Test
    void testkitJar_holdsTheKitOnlyAndNeedsNothingButTheJdk() throws Exception {
        String path = System.getProperty("ssekit.testkit.jar");
        List<String> jar = entries("ssekit.testkit.jar");
        assertTrue(jar.contains("dev/ssekit/testkit/SseRecorder.class"), jar.toString());
        assertTrue(jar.contains("dev/ssekit/testkit/EventStreamParser.class"), jar.toString());
        assertEquals(List.of(), jar.stream().filter(n -> !n.startsWith("META-INF/")
                && !n.matches("dev/ssekit/testkit/[A-Za-z0-9_/$-]+\\.class")).toList(), "only dev/ssekit/testkit classes");
        Set<String> referenced = new TreeSet<>();
        try (JarFile file = new JarFile(path)) {
            for (ZipEntry e : file.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                try (InputStream in = file.getInputStream(e)) {
                    referenced.addAll(referencedClasses(in.readAllBytes()));
                }
            }
        }
        assertTrue(referenced.contains("java/net/http/HttpClient"), "the scan sees the kit's references: " + referenced);
        assertEquals(List.of(), referenced.stream()
                .filter(n -> !n.startsWith("java/") && !n.startsWith("javax/net/") && !n.startsWith("dev/ssekit/testkit/"))
                .toList(), "classes outside the JDK (and outside java.base)");
        // And it loads with the JDK alone beneath it.
        try (URLClassLoader alone = new URLClassLoader(new URL[] {new File(path).toURI().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String entry : jar.stream().filter(n -> n.endsWith(".class")).toList()) {
                Class<?> type = Class.forName(entry.replace('/', '.').replace(".class", ""), true, alone);
                type.getDeclaredMethods();
                type.getDeclaredFields();
            }
        }
    }

    @Test
    void jars_nameTheirModules() throws IOException {
        for (String[] jar : new String[][] {{"ssekit.jar", "dev.ssekit"}, {"ssekit.testkit.jar", "dev.ssekit.testkit"}}) {
            try (JarFile file = new JarFile(System.getProperty(jar[0]))) {
                assertEquals(jar[1], file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"),
                        jar[0] + " manifest");
            }
            // And the JDK takes the jar as that module (a valid name; its services' providers inside it).
            ModuleDescriptor module = ModuleFinder.of(Path.of(System.getProperty(jar[0]))).findAll().iterator().next()
                    .descriptor();
            assertEquals(jar[1], module.name(), jar[0]);
            assertTrue(module.isAutomatic(), jar[0] + " has no module-info");
        }
    }

    private static final Pattern DESCRIPTOR_CLASS = Pattern.compile("L([A-Za-z_$][A-Za-z0-9_$/]*);");

    /**
     * The classes a class file names in its constant pool: its Class entries and the types in its
     * descriptors and signatures. Everything the class can load is named there.
     */
    private static Set<String> referencedClasses(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        assertEquals(0xCAFEBABE, in.readInt());
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNames = new java.util.ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNames.add(in.readUnsignedShort());
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 5, 6 -> {
                    in.readLong();
                    i++; // eight-byte constants take two slots
                }
                default -> throw new AssertionError("unknown constant pool tag " + tag);
            }
        }
        Set<String> out = new TreeSet<>();
        for (int index : classNames) {
            String name = utf8[index];
            Matcher array = DESCRIPTOR_CLASS.matcher(name);
            if (name.startsWith("[")) {
                while (array.find()) {
                    out.add(array.group(1));
                }
            } else {
                out.add(name);
            }
        }
        for (String text : utf8) {
            if (text != null && (text.startsWith("(") || text.startsWith("L") || text.startsWith("<")
                    || text.startsWith("["))) {
                Matcher m = DESCRIPTOR_CLASS.matcher(text);
                while (m.find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }
}
