package dev.ssekit.test;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The testing guide's examples (docs/testing.md, linked from the README) are the tests that run, word for word. */
class GuideExamplesTest {
    @Test
    void testingGuide_holdsBothExampleTestsUnchanged() throws Exception {
        String guide = Files.readString(Path.of("docs/testing.md"));
        for (String file : new String[] {"src/test/java/dev/ssekit/test/OrdersStreamTest.java",
                "arquillian/src/test/java/dev/ssekit/arquillian/OrderEventsIT.java"}) {
            String source = Files.readString(Path.of(file));
            assertTrue(guide.contains("```java\n" + source + "```\n"), file + " must appear unchanged in docs/testing.md");
        }
    }
}
