package dev.ssekit.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's and the guides' examples are files that compile and run, word for word: the README's
 * first path (its curl commands run in {@code ShopExampleHttpTest}, its hub commands in
 * {@code DocumentedCommandsTest}), the testing guide's blocks
 * (docs/testing.md: the example project src/it/shop's pom parts, arquillian.xml and container test,
 * which the build runs on Payara Micro), and the library guide's first path (docs/library.md), whose
 * files {@code com.example.shop.ShopExampleHttpTest} runs over HTTP and src/it/shop packages.
 */
class GuideExamplesTest {
    private static final Path SHOP = Path.of("src/it/shop");
    private static final Path SHOP_SOURCES = SHOP.resolve("src/main/java/com/example/shop");

    @Test
    void testingGuide_everyBlockIsPartOfTheExampleProject() throws Exception {
        String guide = Files.readString(Path.of("docs/testing.md"));
        String test = Files.readString(SHOP.resolve("src/test/java/com/example/shop/OrderEventsIT.java"));
        assertTrue(guide.contains("```java\n" + test + "```\n"), "OrderEventsIT.java must appear unchanged in docs/testing.md");
        String arquillian = Files.readString(SHOP.resolve("src/test/resources/arquillian.xml"));
        // The project's pom as a user has it: the invoker fills in the versions of this build.
        String pom = filled(Files.readString(SHOP.resolve("pom.xml")));
        List<String> xml = blocks(guide, "xml");
        assertEquals(4, xml.size(), "the pom's three parts, arquillian.xml");
        for (String part : xml.subList(0, 3)) {
            assertTrue(pom.contains(part), "a part of src/it/shop/pom.xml, unchanged:\n" + part);
        }
        assertEquals(arquillian, xml.get(3), "src/it/shop/src/test/resources/arquillian.xml, unchanged");
    }

    /**
     * The README's first path: its Java block is the example's three files without their package and
     * imports, and its dependency is the one the example project declares (src/it/shop builds both).
     */
    @Test
    void readme_firstPathsBlocksAreTheExampleProjectsFiles() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> sources = new ArrayList<>();
        for (String file : new String[] {"ShopApplication.java", "OrderStatus.java", "OrderResource.java"}) {
            String source = Files.readString(SHOP_SOURCES.resolve(file));
            sources.add(source.replaceAll("(?m)^(package|import) .*;\n", "").stripLeading());
        }
        assertEquals(List.of(String.join("\n", sources)), blocks(readme, "java"),
                "the README's Java block: ShopApplication, OrderStatus and OrderResource, without package and imports");
        String pom = filled(Files.readString(SHOP.resolve("pom.xml"))).replaceAll("(?m)^    ", "");
        List<String> xml = blocks(readme, "xml");
        assertEquals(1, xml.size(), "the README's one dependency block");
        assertTrue(pom.contains(xml.get(0)), "the dependency as the example project declares it:\n" + xml.get(0));
    }

    @Test
    void libraryGuide_holdsTheFirstPathsFilesUnchanged() throws Exception {
        String guide = Files.readString(Path.of("docs/library.md"));
        String pom = filled(Files.readString(SHOP.resolve("pom.xml")));
        assertEquals(pom, blocks(guide, "xml").get(0), "the example project's pom, whole, as the invoker fills it in");
        for (String file : new String[] {"OrderStatus.java", "ShopApplication.java", "OrderResource.java"}) {
            String source = Files.readString(SHOP_SOURCES.resolve(file));
            assertTrue(guide.contains("```java\n" + source + "```\n"), file + " must appear unchanged in docs/library.md");
        }
    }

    /** The fenced blocks of {@code language} in {@code markdown}, each with its final newline. */
    private static List<String> blocks(String markdown, String language) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```\n", Pattern.DOTALL).matcher(markdown);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** {@code @property@} placeholders replaced by this build's values, as the invoker does. */
    private static String filled(String template) throws IOException {
        String buildPom = Files.readString(Path.of("pom.xml"));
        String properties = buildPom.substring(buildPom.indexOf("<properties>"), buildPom.indexOf("</properties>"));
        Matcher p = Pattern.compile("<([\\w.]+)>([^<]+)</\\1>").matcher(properties);
        Map<String, String> values = new HashMap<>();
        while (p.find()) {
            values.put(p.group(1), p.group(2));
        }
        Matcher version = Pattern.compile("<artifactId>ssekit</artifactId>\\s*<version>([^<]+)</version>").matcher(buildPom);
        assertTrue(version.find(), "the build's version");
        values.put("project.version", version.group(1));
        values.put("project.basedir", Path.of("").toAbsolutePath().toString());
        Matcher placeholder = Pattern.compile("@([\\w.]+)@").matcher(template);
        StringBuilder out = new StringBuilder();
        while (placeholder.find()) {
            String value = values.get(placeholder.group(1));
            assertTrue(value != null, "no build property " + placeholder.group(1));
            placeholder.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return placeholder.appendTail(out).toString();
    }
}
