package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.HubClosedException;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.SharedHistoryStore;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.ForwardingSharedStore;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping a registry on a shared store whose follow hands events on more slowly than a publisher
 * posts them, as the embedded hub's follow did with 10,000 streams on a loaded machine (bench run AA:
 * the follow 176 events behind the acknowledged ones at SIGTERM, 19 of them still behind when the
 * stop's catch-up ran out and the streams ended). Publishers run ahead of the follow by
 * {@link SharedFollow#MAX_AHEAD} events at most, so what the stop must still fan out is bounded, and
 * every event acknowledged before the stop reaches the live stream before its end.
 *
 * <p>The follow hands on only what the test lets through (a gate, {@link GatedFollow}): nothing
 * until the stop has begun. On 3ab7d25 a publish on a shared store returned once stored, however
 * far behind the follow was, so the publisher was never held and the stream ended with 25 of 49
 * acknowledged events.
 */
class SharedStoreStopTest {
    /**
     * Long enough that the lead's time bound (a tenth, 30 s) holds no publish of the first test, on
     * a loaded machine too: it is the count bound that test checks.
     */
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void close_followSlowerThanThePublisher_publisherHeldOnePassAheadAndTheStreamGetsEveryEventAcknowledgedBeforeTheStop()
            throws Exception {
        try (GatedFollow store = GatedFollow.onH2(); Publishing p = new Publishing(store, SHUTDOWN_TIMEOUT)) {
            await().atMost(Duration.ofSeconds(60)).until(p::waitsForTheFollow);
            assertEquals(SharedFollow.MAX_AHEAD, p.acknowledged.size(),
                    "events acknowledged before the publisher waits for the follow, which handed none on");

            List<String> beforeTheStop = List.copyOf(p.acknowledged);
            Thread stop = new Thread(p.hub::close, "stop");
            stop.start();
            await().atMost(Duration.ofSeconds(30)).until(p.hub::isClosed);
            store.open(); // the fan-out moves again, while the stop catches up
            stop.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(stop.isAlive(), "the stop still runs");
            p.publisher.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(p.publisher.isAlive(), "the publisher still publishes to a closed hub");
            assertTrue(p.sink.isClosed(), "the stop ended the stream");
            List<String> got = p.sink.ids();
            List<String> missing = beforeTheStop.stream().filter(id -> !got.contains(id)).toList();
            assertEquals(List.of(), missing, "events acknowledged before the stop that the live stream did not get"
                    + " before its end (" + beforeTheStop.size() + " acknowledged, " + got.size() + " received)");
            assertEquals(got.size(), Set.copyOf(got).size(), "an event sent twice");
            // The publish the stop overtook may still be acknowledged, once stored: a reconnect replays it.
            List<String> stored = store.read(Set.of("t"), HistoryStore.EARLIEST, null).events().stream()
                    .map(e -> e.id().orElseThrow()).toList();
            assertTrue(stored.containsAll(p.acknowledged), "every acknowledged event is in history");
        }
    }

    /**
     * With a shutdown timeout of 50 ms the lead is 5 ms: the publisher waits for the follow once its
     * oldest acknowledged event has waited that long, far short of 512 events (each publish is a
     * store call and two thread hand-offs), and goes on once the follow moves.
     */
    @Test
    void publish_followSlowerThanThePublisher_publisherHeldOnceItsOldestEventWaitedATenthOfTheShutdownTimeout()
            throws Exception {
        try (GatedFollow store = GatedFollow.onH2(); Publishing p = new Publishing(store, Duration.ofMillis(50))) {
            await().atMost(Duration.ofSeconds(60)).until(p::waitsForTheFollow);
            int held = p.acknowledged.size();
            assertTrue(held >= 1 && held < SharedFollow.MAX_AHEAD,
                    "acknowledged before the publisher waits, by the lead's time bound: " + held);
            store.open();
            await().atMost(Duration.ofSeconds(60)).until(() -> p.acknowledged.size() > held);
        }
    }

    /** A hub on the store with one subscriber of topic t, and a publisher posting to t back to back. */
    private static final class Publishing implements AutoCloseable {
        final Hub hub;
        final FakeSse.Sink sink = new FakeSse.Sink();
        final List<String> acknowledged = new CopyOnWriteArrayList<>();
        final Thread publisher;

        Publishing(GatedFollow store, Duration shutdownTimeout) {
            hub = Hub.builder().history(store).shutdownTimeout(shutdownTimeout).build();
            hub.subscribe(hub.open(sink), List.of("t"), null);
            publisher = new Thread(() -> {
                for (int i = 0; ; i++) {
                    try {
                        acknowledged.add(hub.publish(List.of("t"), Event.of("e" + i)).id());
                    } catch (HubClosedException e) {
                        return; // refused by the stop: not acknowledged
                    }
                }
            }, "publisher");
            publisher.start();
        }

        /** @return whether the publisher is parked in a publish, waiting for the follow to hand its event on */
        boolean waitsForTheFollow() {
            Thread.State state = publisher.getState();
            return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                    && Arrays.stream(publisher.getStackTrace()).anyMatch(f -> f.getMethodName().equals("awaitHandedOn"));
        }

        @Override
        public void close() throws InterruptedException {
            hub.close();
            publisher.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /**
     * A shared store whose follow hands an event on only once the test lets it through: a stand-in
     * for a fan-out slower than the publisher (about 50 ms per event to 10,000 streams in bench run AA).
     */
    private static final class GatedFollow extends ForwardingSharedStore {
        private final Semaphore gate = new Semaphore(0);

        GatedFollow(SharedHistoryStore delegate) {
            super(delegate);
        }

        /** On an H2 database of its own. */
        static GatedFollow onH2() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:stop-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            return new GatedFollow(JdbcHistoryStore.builder(h2).pruneInterval(null).build());
        }

        /** Lets every event through from now on, so that the follow can end. */
        void open() {
            gate.release(Integer.MAX_VALUE / 2);
        }

        @Override
        public void close() {
            open();
            super.close();
        }

        @Override
        public Follower follow(AppendListener listener) {
            return shared.follow(new AppendListener() {
                @Override
                public void appended(Set<String> topics, Event event, String position) {
                    try {
                        gate.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    listener.appended(topics, event, position);
                }

                @Override
                public void missedEvents() {
                    listener.missedEvents();
                }
            });
        }
    }
}
