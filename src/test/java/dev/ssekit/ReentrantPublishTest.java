package dev.ssekit;

import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A subscriber's filter or topic matcher that publishes: it runs under the fan-out lock, where a
 * publish could deadlock against the thread storing the next batch, so the publish fails at once.
 */
class ReentrantPublishTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String WHY = "publish from inside a subscriber's filter or topic matcher: they run while "
            + "events are handed on to subscribers, which a publish from there would wait for (a deadlock); "
            + "publish from another thread instead";

    /** Publishes from inside user code, recording what the publish threw; accepts the event. */
    private static boolean publishFromInside(Hub topics, List<Throwable> thrown) {
        try {
            topics.publish(List.of("audit"), Event.of("seen"));
            thrown.add(new AssertionError("the publish from inside went through"));
        } catch (RuntimeException e) {
            thrown.add(e);
        }
        return true;
    }

    @Test
    void publish_fromAFilter_failsAtOnceSayingWhy() throws Exception {
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        try (Hub topics = Hub.builder().build()) {
            Topic<String> orders = topics.topic("orders", String.class);
            FakeSse.Sink sink = new FakeSse.Sink();
            orders.subscribe(topics.open(sink), null, v -> publishFromInside(topics, thrown));
            String id = orders.publish("one").id();
            await().atMost(WAIT).until(() -> sink.ids().contains(id));
            assertEquals(1, thrown.size(), thrown.toString());
            assertEquals(IllegalStateException.class, thrown.get(0).getClass(), thrown.toString());
            assertEquals(WHY, thrown.get(0).getMessage());
            assertEquals(List.of(), topics.history().read(Set.of("audit"), "earliest", null).events());
        }
    }

    @Test
    void publish_fromATopicMatcher_failsAtOnceSayingWhy() throws Exception {
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        try (Hub topics = Hub.builder().build()) {
            FakeSse.Sink sink = new FakeSse.Sink();
            topics.subscribe(topics.open(sink), List.of(),
                    null, t -> t.contains("orders") && publishFromInside(topics, thrown));
            String id = topics.publish(List.of("orders"), Event.of("one")).id();
            await().atMost(WAIT).until(() -> sink.ids().contains(id));
            assertEquals(1, thrown.size(), thrown.toString());
            assertEquals(IllegalStateException.class, thrown.get(0).getClass(), thrown.toString());
            assertEquals(WHY, thrown.get(0).getMessage());
        }
    }
}
