package dev.ssekit.test;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Test your streams" examples are the tests that run, word for word. */
class ReadmeExamplesTest {
    @Test
    void readme_holdsBothExampleTestsUnchanged() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (String file : new String[] {"src/test/java/dev/ssekit/test/OrdersStreamTest.java",
                "arquillian/src/test/java/dev/ssekit/arquillian/OrderEventsIT.java"}) {
            String source = Files.readString(Path.of(file));
            assertTrue(readme.contains("```java\n" + source + "```\n"), file + " must appear unchanged in README.md");
        }
    }
}
