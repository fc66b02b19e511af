package dev.ssekit.app.mercure;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.internal.ScreenedMatcher;
import dev.ssekit.spi.TopicMatcher;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures fan-out to 1,000 subscribers on URL patterns against the same load on exact topics, in
 * one run: (a) 1,000 exact-topic subscribers; (b) 1,000 subscribers on a matching URL pattern (the
 * hub's own {@link Routing} and its screen, one per subscriber as the hub does); (c) the 1,000 exact
 * subscribers of (a) while 1,000 pattern subscribers that match nothing are registered too. Not a
 * test: a measurement, run with
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ssekit.app.mercure.PatternFanOutThroughput</pre>
 */
public final class PatternFanOutThroughput {
    private static final int SUBSCRIBERS = 1_000;
    private static final int EVENTS = 2_000;
    private static final URI HUB = URI.create("https://hub.example.com/.well-known/mercure");
    private static final String TOPIC = "https://example.com/books/1";

    /** A sink that only counts: the measurement is of routing, not of a container's writer. */
    private static final class Counting implements SseEventSink {
        final AtomicLong total;

        Counting(AtomicLong total) {
            this.total = total;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (event.getData() != null) {
                total.incrementAndGet();
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
        }
    }

    private static double run(String name, int exact, int matching, int nonMatching) throws Exception {
        try (Hub topics = Hub.builder().queueCapacity(EVENTS + 16).build()) {
            AtomicLong delivered = new AtomicLong();
            for (int i = 0; i < exact; i++) {
                Conn c = topics.open(new Counting(delivered));
                topics.subscribe(c, List.of(TOPIC), null);
            }
            for (int i = 0; i < matching + nonMatching; i++) {
                // As the hub builds a subscription's matcher: its routing decides, its screen is indexed.
                Routing routing = Routing.of(Map.of("match_urlpattern", List.of(i < matching
                        ? "https://example.com/books/:id" : "https://example.com/authors/" + i + "/:id")), true, false, HUB);
                ScreenedMatcher.Screen screen = routing.screen(HUB);
                TopicMatcher matcher = new RoutingMatcher(routing, screen);
                Conn c = topics.open(new Counting(delivered));
                topics.subscribe(c, List.of(), null, matcher);
            }
            long expected = (long) (exact + matching) * EVENTS;
            Event e = Event.of("{\"id\":1,\"title\":\"" + "x".repeat(100) + "\"}");
            long start = System.nanoTime();
            for (int i = 0; i < EVENTS; i++) {
                topics.publish(List.of(TOPIC), e);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (delivered.get() < expected && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = delivered.get() / seconds;
            System.out.printf("%-52s %,12d deliveries in %6.3f s: %,12.0f /s%n", name, delivered.get(), seconds, rate);
            return rate;
        }
    }

    public static void main(String[] args) throws Exception {
        for (int round = 1; round <= 3; round++) {
            System.out.println("round " + round + (round == 1 ? " (warm-up)" : ""));
            double a = run("(a) 1,000 exact-topic subscribers", SUBSCRIBERS, 0, 0);
            double b = run("(b) 1,000 URL-pattern subscribers", 0, SUBSCRIBERS, 0);
            double c = run("(c) (a) beside 1,000 non-matching pattern subscribers", SUBSCRIBERS, 0, SUBSCRIBERS);
            System.out.printf("ratios: b/a %.2f, c/a %.2f%n", b / a, c / a);
        }
    }

    /** As the hub's matcher: its routing decides, its screen is indexed. */
    private record RoutingMatcher(Routing routing, ScreenedMatcher.Screen screen) implements TopicMatcher, ScreenedMatcher {
        @Override
        public boolean matches(java.util.Set<String> set) {
            for (String t : set) {
                if (routing.patternRoutes(t)) {
                    return true;
                }
            }
            return false;
        }
    }
}
