package dev.ssekit;

import dev.ssekit.internal.ScreenedMatcher;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Matchers with a {@link ScreenedMatcher.Screen}: the registry asks them only about events whose topics
 * pass the screen, and every connection still gets exactly what its matcher accepts.
 */
class ScreenedMatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** One key function shared by several screens: the topic itself. */
    private static final Function<String, String> IDENTITY = t -> t;

    /** A matcher that counts, per event, whether it was asked, with an optional screen. */
    private static final class Counted implements TopicMatcher, ScreenedMatcher {
        final Predicate<String> accepts;
        final Screen screen;
        final Map<String, AtomicInteger> askedAbout = new ConcurrentHashMap<>();

        Counted(Predicate<String> accepts, Screen screen) {
            this.accepts = accepts;
            this.screen = screen;
        }

        @Override
        public boolean matches(Set<String> topics) {
            topics.forEach(t -> askedAbout.computeIfAbsent(t, k -> new AtomicInteger()).incrementAndGet());
            return topics.stream().anyMatch(accepts.or(t -> t.equals("end")));
        }

        @Override
        public Screen screen() {
            return screen;
        }

        Set<String> asked() {
            return askedAbout.keySet();
        }
    }

    private static ScreenedMatcher.Screen screen(Function<String, String> key, String... prefixes) {
        return new ScreenedMatcher.Screen(key, Set.of(prefixes));
    }

    @Test
    void screenedMatchers_areAskedOnlyAboutWhatPassesTheScreen_andGetExactlyWhatTheyAccept() throws Exception {
        Function<String, String> failing = t -> {
            if (t.equals("boom")) {
                throw new IllegalStateException("no key for boom");
            }
            return t;
        };
        Counted books = new Counted(t -> t.startsWith("books/1"), screen(IDENTITY, "books/", "end"));
        Counted authors = new Counted(t -> t.startsWith("authors/"), screen(IDENTITY, "authors/", "books/9", "end"));
        Counted unscreened = new Counted(t -> t.contains("x"), null);
        Counted everyKey = new Counted(t -> t.equals("misc"), screen(IDENTITY, ""));
        Counted nullKeys = new Counted(t -> t.equals("boom"), screen(t -> t.equals("boom") || t.equals("end") ? t : null, "bo", "end"));
        Counted throwing = new Counted(t -> t.equals("boom"), screen(failing, "end"));
        try (Hub topics = Hub.builder().build()) {
            Map<Counted, FakeSse.Sink> sinks = new java.util.LinkedHashMap<>();
            for (Counted m : List.of(books, authors, unscreened, everyKey, nullKeys, throwing)) {
                FakeSse.Sink sink = new FakeSse.Sink();
                topics.subscribe(topics.open(sink), List.of(), null, m);
                sinks.put(m, sink);
            }
            // A connection with a topic by name: an event that topic brings skips its matcher.
            FakeSse.Sink named = new FakeSse.Sink();
            Counted namedMatcher = new Counted(t -> t.startsWith("books/"), screen(IDENTITY, "books/", "end"));
            topics.subscribe(topics.open(named), List.of("books/1/a"), null, namedMatcher);

            String b1 = topics.publish(List.of("books/1/a"), Event.of("b1")).id();
            String b2 = topics.publish(List.of("books/2x"), Event.of("b2")).id();
            String a7 = topics.publish(List.of("authors/7"), Event.of("a7")).id();
            String misc = topics.publish(List.of("misc"), Event.of("misc")).id();
            String boom = topics.publish(List.of("boom"), Event.of("boom")).id();
            String both = topics.publish(List.of("other", "books/1/b"), Event.of("both")).id();
            String end = topics.publish(List.of("end"), Event.of("end")).id();
            for (FakeSse.Sink sink : List.of(sinks.get(books), sinks.get(authors), sinks.get(unscreened),
                    sinks.get(everyKey), sinks.get(nullKeys), sinks.get(throwing), named)) {
                await().atMost(WAIT).until(() -> sink.ids().contains(end));
            }
            assertEquals(List.of(b1, both, end), sinks.get(books).ids());
            assertEquals(List.of(a7, end), sinks.get(authors).ids());
            assertEquals(List.of(b2, end), sinks.get(unscreened).ids());
            assertEquals(List.of(misc, end), sinks.get(everyKey).ids());
            assertEquals(List.of(boom, end), sinks.get(nullKeys).ids());
            assertEquals(List.of(boom, end), sinks.get(throwing).ids());
            assertEquals(List.of(b1, b2, both, end), named.ids());

            assertEquals(Set.of("books/1/a", "books/2x", "other", "books/1/b", "end"), books.asked());
            assertEquals(Set.of("authors/7", "end"), authors.asked());
            assertEquals(Set.of("books/1/a", "books/2x", "authors/7", "misc", "boom", "other", "books/1/b", "end"),
                    unscreened.asked());
            assertEquals(unscreened.asked(), everyKey.asked(), "a screen with the empty prefix lets every key pass");
            assertEquals(Set.of("boom", "end"), nullKeys.asked(), "a null key passes no prefix");
            assertEquals(Set.of("boom", "end"), throwing.asked(), "a screen that fails asks its matchers");
            assertEquals(Set.of("books/2x", "other", "books/1/b", "end"), namedMatcher.asked(),
                    "the event its topic brought by name does not ask the matcher");
        }
    }

    @Test
    void screenedMatcher_thatLeaves_isNoLongerAsked() throws Exception {
        Counted stays = new Counted(t -> t.startsWith("p/"), screen(IDENTITY, "p/", "end"));
        Counted leaves = new Counted(t -> t.startsWith("p/"), screen(IDENTITY, "p/", "end"));
        try (Hub topics = Hub.builder().build()) {
            FakeSse.Sink staying = new FakeSse.Sink();
            topics.subscribe(topics.open(staying), List.of(), null, stays);
            Conn leaving = topics.open(new FakeSse.Sink());
            topics.subscribe(leaving, List.of(), null, leaves);
            leaving.close();
            await().atMost(WAIT).until(() -> topics.clients() == 1);
            String p1 = topics.publish(List.of("p/1"), Event.of("1")).id();
            await().atMost(WAIT).until(() -> staying.ids().contains(p1));
            assertEquals(Set.of("p/1"), stays.asked());
            assertEquals(Set.of(), leaves.asked());
        }
    }

    @Test
    void manyScreenedMatchers_comeAndGo_theIndexKeepsExactlyThoseStillThere() throws Exception {
        try (Hub topics = Hub.builder().build()) {
            List<Conn> conns = new java.util.ArrayList<>();
            List<FakeSse.Sink> sinks = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                FakeSse.Sink sink = new FakeSse.Sink();
                Conn c = topics.open(sink);
                // Half share one prefix, half have one each: buckets of many routes and of one.
                String prefix = i % 2 == 0 ? "shared/" : "own/" + i + "/";
                topics.subscribe(c, List.of(), null, new Counted(t -> t.startsWith(prefix), screen(IDENTITY, prefix)));
                conns.add(c);
                sinks.add(sink);
            }
            for (int i = 0; i < 200; i += 4) {
                conns.get(i).close();
                conns.get(i + 1).close();
            }
            await().atMost(WAIT).until(() -> topics.clients() == 100);
            String shared = topics.publish(List.of("shared/x"), Event.of("s")).id();
            List<String> own = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                own.add(i % 2 == 1 ? topics.publish(List.of("own/" + i + "/x"), Event.of("o")).id() : null);
            }
            for (int i = 0; i < 200; i++) {
                boolean open = i % 4 >= 2;
                FakeSse.Sink sink = sinks.get(i);
                String expected = i % 2 == 0 ? shared : own.get(i);
                if (open) {
                    await().atMost(WAIT).until(() -> sink.ids().contains(expected));
                    assertEquals(List.of(expected), sink.ids(), "connection " + i);
                } else {
                    assertEquals(List.of(), sink.ids(), "closed connection " + i);
                }
            }
        }
    }

    @Test
    void screen_needsAKeyAndAPrefix() {
        assertEquals("prefixes: at least one is needed; return no screen instead", assertThrows(
                IllegalArgumentException.class, () -> new ScreenedMatcher.Screen(IDENTITY, Set.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScreenedMatcher.Screen(null, Set.of("a")));
    }
}
