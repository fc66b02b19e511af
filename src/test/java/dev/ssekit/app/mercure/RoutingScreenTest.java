package dev.ssekit.app.mercure;

import dev.ssekit.internal.ScreenedMatcher;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscription's screen: the prefixes of its URL patterns and the keys of its exact topics, and
 * keys of topics as URL patterns see them, so that every topic a pattern matches passes its screen.
 */
class RoutingScreenTest {
    private static final URI HUB = URI.create("https://hub.example:8443/.well-known/mercure");

    private static Routing routing(String name, String... values) {
        return Routing.of(Map.of(name, List.of(values)), true, true, HUB);
    }

    @Test
    void screen_prefixesOfPatternsAndKeysOfExactTopics() {
        ScreenedMatcher.Screen s = Routing.of(Map.of("match_urlpattern", List.of("https://Example.COM/books/:id",
                "/items/:id", "*://example.com/*"), "match", List.of("urn:x", "https://example.com/a b")),
                true, false, HUB).screen(HUB);
        assertEquals(Set.of("https://example.com:/books", "https://hub.example:8443/items", "", "urn://:x",
                "https://example.com:/a%20b"), s.prefixes());
        assertEquals(new Routing.TopicKey(HUB), s.key(), "equal for every subscription of the hub: one key per topic");
    }

    @Test
    void screen_noneWithTheWildcardOrAUriTemplate() {
        assertNull(routing("match", "*").screen(HUB));
        assertNull(routing("topic", "https://example.com/books/{id}").screen(HUB));
    }

    @Test
    void topicKey_isTheTopicAsUrlPatternsParseIt_privateUpdatesByTheirPublicName() {
        Routing.TopicKey key = new Routing.TopicKey(HUB);
        assertEquals("https://example.com:/books/1", key.apply("HTTPS://EXAMPLE.com:443/books/1"));
        assertEquals("https://example.com:/books/1", key.apply("https:\\\\example.com\\books\\x\\..\\1"));
        assertEquals("https://hub.example:8443/items/2", key.apply("/items/2"));
        assertEquals("urn://:x", key.apply(PrivateTopics.of("urn:x")), "an opaque path, no host");
        assertEquals("\u0000https://exa mple.com/", key.apply("https://exa mple.com/"));
        // Every topic a pattern matches passes the pattern's screen.
        Routing r = routing("match_urlpattern", "https://example.com/books/:id");
        String prefix = r.screen(HUB).prefixes().iterator().next();
        for (String topic : List.of("https://example.com/books/1", "HTTPS://EXAMPLE.COM/books/2",
                "https://example.com:443/books/3", "https:\\\\example.com\\books\\4")) {
            assertTrue(r.patternRoutes(topic), topic);
            assertTrue(key.apply(topic).startsWith(prefix), topic + " -> " + key.apply(topic));
        }
    }
}
