package dev.ssekit.testkit;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guides' examples are files that compile and run, word for word: the testing guide's two tests
 * (docs/testing.md, linked from the README), and the library guide's first path (docs/library.md), whose
 * files {@code com.example.shop.ShopExampleHttpTest} runs over HTTP.
 */
class GuideExamplesTest {
    @Test
    void testingGuide_holdsBothExampleTestsUnchanged() throws Exception {
        String guide = Files.readString(Path.of("docs/testing.md"));
        for (String file : new String[] {"src/test/java/dev/ssekit/testkit/OrdersStreamTest.java",
                "arquillian/src/test/java/dev/ssekit/arquillian/OrderEventsIT.java"}) {
            String source = Files.readString(Path.of(file));
            assertTrue(guide.contains("```java\n" + source + "```\n"), file + " must appear unchanged in docs/testing.md");
        }
    }

    @Test
    void libraryGuide_holdsTheFirstPathsFilesUnchanged() throws Exception {
        String guide = Files.readString(Path.of("docs/library.md"));
        for (String file : new String[] {"OrderStatus.java", "ShopApplication.java", "OrderResource.java"}) {
            String source = Files.readString(Path.of("src/test/java/com/example/shop", file));
            assertTrue(guide.contains("```java\n" + source + "```\n"), file + " must appear unchanged in docs/library.md");
        }
    }
}
