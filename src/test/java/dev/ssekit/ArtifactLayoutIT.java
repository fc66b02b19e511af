package dev.ssekit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the packaged artifacts hold: the library without the app; the WAR without server parts. */
class ArtifactLayoutIT {
    private static List<String> entries(String property) throws IOException {
        try (JarFile file = new JarFile(System.getProperty(property))) {
            return file.stream().map(ZipEntry::getName).filter(n -> !n.endsWith("/")).toList();
        }
    }

    @Test
    void jar_holdsTheLibraryButNotTheApp() throws IOException {
        List<String> jar = entries("ssekit.jar");
        assertTrue(jar.contains("dev/ssekit/Hub.class"));
        assertTrue(jar.contains("dev/ssekit/history/JdbcHistoryStore.class"));
        assertTrue(jar.contains("META-INF/beans.xml"));
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("dev/ssekit/app/")).toList());
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("com/nimbusds/")).toList(), "no JWT classes");
        assertEquals(List.of(), jar.stream().filter(n -> n.startsWith("com/google/re2j/")).toList(), "no RE2/J classes");
    }

    @Test
    void war_holdsTheHubAppTheLibraryAndWhatServersDoNotProvideOnly() throws IOException {
        List<String> war = entries("ssekit.war");
        assertTrue(war.contains("WEB-INF/classes/dev/ssekit/app/MercureResource.class"));
        assertTrue(war.contains("WEB-INF/classes/dev/ssekit/app/security/TokenVerifier.class"));
        assertTrue(war.contains("WEB-INF/beans.xml"));
        List<String> libs = war.stream().filter(n -> n.startsWith("WEB-INF/lib/")).toList();
        for (String lib : List.of("ssekit", "nimbus-jose-jwt", "re2j", "lettuce-core")) {
            assertEquals(1, libs.stream().filter(n -> n.matches("WEB-INF/lib/" + lib + "-[0-9][^/]*\\.jar")).count(),
                    lib + " in WEB-INF/lib: " + libs);
        }
        // Besides those, only Lettuce's own dependencies (Netty, Reactor), which no server lends to applications.
        assertEquals(List.of(), libs.stream().filter(n -> !n.matches("WEB-INF/lib/(ssekit|nimbus-jose-jwt|re2j|lettuce-core"
                + "|netty-[a-z0-9-]+|reactor-core|reactive-streams)-[0-9][^/]*\\.jar")).toList(), "WEB-INF/lib");
        assertEquals(List.of(), war.stream().filter(n -> n.startsWith("WEB-INF/classes/")
                && !n.startsWith("WEB-INF/classes/dev/ssekit/app/")).toList(), "only the app's classes");
        assertEquals(List.of(), war.stream().filter(n -> n.contains("/embedded/")).toList(), "no embedded launcher");
        for (String banned : List.of("jersey", "grizzly", "hk2", "weld", "yasson")) {
            assertEquals(List.of(), war.stream().filter(n -> n.toLowerCase().contains(banned)).toList(), banned);
        }
    }
}
