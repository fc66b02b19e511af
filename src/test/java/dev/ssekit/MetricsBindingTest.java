package dev.ssekit;

import dev.ssekit.spi.MetricsBinding;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a registry reports through {@link MetricsBinding}: the counts of {@link TopicStats}, per topic, bounded. */
class MetricsBindingTest {
    /** Records every call, per topic. */
    static final class Recording implements MetricsBinding {
        final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();
        final Map<String, IntSupplier> gauges = new ConcurrentHashMap<>();
        final AtomicBoolean closed = new AtomicBoolean();

        long count(String topic, String what) {
            LongAdder a = counts.getOrDefault(topic, Map.of()).get(what);
            return a == null ? 0 : a.sum();
        }

        @Override
        public TopicMetrics bind(String topic, IntSupplier subscribers) {
            assertTrue(gauges.put(topic, subscribers) == null, "bound twice: " + topic);
            Map<String, LongAdder> mine = counts.computeIfAbsent(topic, t -> new ConcurrentHashMap<>());
            return new TopicMetrics() {
                void add(String what, long n) {
                    mine.computeIfAbsent(what, w -> new LongAdder()).add(n);
                }

                @Override
                public void published(long nanos) {
                    assertTrue(nanos >= 0);
                    add("published", 1);
                }

                @Override
                public void delivered() {
                    add("delivered", 1);
                }

                @Override
                public void replayed(int events) {
                    add("replayed", events);
                }
            };
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void countsReachTheBindingPerTopic_andTheBindingClosesWithTheRegistry() {
        Recording metrics = new Recording();
        Hub topics = Hub.builder().metrics(metrics).build();
        Topic<String> news = topics.topic("news", String.class);
        news.publish("before anyone");
        FakeSse.Sink sink = new FakeSse.Sink();
        news.subscribe(topics.open(sink), "earliest");
        news.publish("live");
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.count("news", "delivered") == 1);
        assertEquals(2, metrics.count("news", "published"));
        assertEquals(1, metrics.count("news", "replayed"), "the event before it subscribed is replayed");
        assertEquals(1, metrics.gauges.get("news").getAsInt(), "the gauge reads the subscribers now");
        assertEquals(new TopicStats(1, 2, 1, 0, 0, 1), news.stats(), "the same counts without a binding");
        topics.close();
        assertTrue(metrics.closed.get(), "closing the registry lets the binding remove its metrics");
    }

    @Test
    void topicsBeyondTheFirstThousandShareOneTag() {
        Recording metrics = new Recording();
        try (Hub topics = Hub.builder().metrics(metrics).build()) {
            for (int i = 0; i < 1005; i++) {
                topics.publish(List.of("t" + i), Event.of("x"));
            }
            assertEquals(1001, metrics.gauges.size(), "1,000 topics and the shared one");
            assertEquals(5, metrics.count("ssekit:other-topics", "published"));
            assertEquals(1, metrics.count("t999", "published"));
        }
    }

    @Test
    void aBindingThatThrows_neverStopsDelivery() {
        MetricsBinding broken = new MetricsBinding() {
            @Override
            public TopicMetrics bind(String topic, IntSupplier subscribers) {
                return new TopicMetrics() {
                    @Override
                    public void published(long nanos) {
                        throw new IllegalStateException("published");
                    }

                    @Override
                    public void delivered() {
                        throw new IllegalStateException("delivered");
                    }
                };
            }

            @Override
            public void close() {
                throw new IllegalStateException("close");
            }
        };
        try (Hub topics = Hub.builder().metrics(broken).build()) {
            Topic<String> news = topics.topic("news", String.class);
            FakeSse.Sink sink = new FakeSse.Sink();
            news.subscribe(topics.open(sink), null);
            String one = news.publish("one").id();
            String two = news.publish("two").id();
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.ids().equals(List.of(one, two)));
            assertEquals(2, news.stats().delivered());
        }
    }
    /** Records the lag of each delivery, and each cut's reason: what the newer callbacks carry. */
    static final class Lags implements MetricsBinding {
        final List<Long> lags = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> bound = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Map<String, IntSupplier> gauges = new ConcurrentHashMap<>();
        volatile RegistryGauges registry;

        @Override
        public TopicMetrics bind(String topic, IntSupplier subscribers) {
            bound.add(topic);
            gauges.put(topic, subscribers);
            return new TopicMetrics() {
                @Override
                public void delivered(long lagNanos) {
                    lags.add(lagNanos);
                }
            };
        }

        @Override
        public void bindRegistry(RegistryGauges gauges) {
            registry = gauges;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void delivered_carriesTheLagOfLiveEventsOnly() {
        Lags metrics = new Lags();
        try (Hub topics = Hub.builder().metrics(metrics).build()) {
            Topic<String> news = topics.topic("news", String.class);
            news.publish("before anyone");
            FakeSse.Sink sink = new FakeSse.Sink();
            news.subscribe(topics.open(sink), "earliest");
            news.publish("one");
            news.publish("two");
            await().atMost(Duration.ofSeconds(30)).until(() -> metrics.lags.size() == 2);
            assertTrue(metrics.lags.stream().allMatch(l -> l >= 0),
                    "each live delivery knows its lag: " + metrics.lags);
            assertEquals(2, news.stats().delivered(), "the replayed event is no live delivery");
            assertEquals(1, metrics.registry.clients());
        }
    }

    /**
     * A fan-out past {@link dev.ssekit.internal.metrics.LagSample#PER_EVENT} subscribers measures the
     * lag of an even sample of them (100 subscribers: every 4th), and still counts every delivery.
     */
    @Test
    void delivered_largeFanOut_measuresTheLagOfASampleAndCountsEveryDelivery() {
        Lags metrics = new Lags();
        try (Hub topics = Hub.builder().metrics(metrics).build()) {
            Topic<String> news = topics.topic("news", String.class);
            for (int i = 0; i < 100; i++) {
                news.subscribe(topics.open(new FakeSse.Sink()), null);
            }
            for (int i = 0; i < 10; i++) {
                news.publish("event " + i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> metrics.lags.size() == 1_000);
            assertEquals(250, metrics.lags.stream().filter(l -> l >= 0).count(),
                    "25 measured of each event's 100 deliveries");
            assertEquals(1_000, news.stats().delivered());
        }
    }

    /**
     * Matchers count under the event's topic, and the sample spreads over them and the subscribers by
     * name together: 1 by name and 100 matchers, every 4th of the 101 measured (25 or 26 an event),
     * not every one (the sample restarted at the matchers' walk, or took its stride from the one
     * subscriber by name).
     */
    @Test
    void delivered_matchersBesideSubscribersByName_shareOneSample() {
        Lags metrics = new Lags();
        try (Hub topics = Hub.builder().metrics(metrics).build()) {
            topics.subscribe(topics.open(new FakeSse.Sink()), List.of("news"), null);
            for (int i = 0; i < 100; i++) {
                topics.subscribe(topics.open(new FakeSse.Sink()), List.of(), null, t -> true);
            }
            for (int i = 0; i < 10; i++) {
                topics.publish(List.of("news"), Event.of("event " + i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> metrics.lags.size() == 1_010);
            long measured = metrics.lags.stream().filter(l -> l >= 0).count();
            assertTrue(measured >= 250 && measured <= 260, measured + " measured of 1,010 deliveries");
        }
    }

    /**
     * On a shared store the follow hands every event on, this node's own too: the lag of those
     * published with their id still counts from this node's accept (it was unknown, reported
     * negative, before).
     */
    @Test
    void delivered_onASharedStore_carriesTheLagOfThisNodesEvents() {
        org.h2.jdbcx.JdbcDataSource dataSource = new org.h2.jdbcx.JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:lag-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Lags metrics = new Lags();
        try (Hub topics = Hub.builder().metrics(metrics)
                .history(dev.ssekit.history.JdbcHistoryStore.builder(dataSource).pruneInterval(null).build())
                .build()) {
            assertTrue(topics.history() instanceof dev.ssekit.history.SharedHistoryStore);
            FakeSse.Sink sink = new FakeSse.Sink();
            topics.subscribe(topics.open(sink), List.of("news"), null);
            // With their ids, as the hub app and a transaction give them: known before the store call.
            topics.publish(List.of("news"), Event.of("one").withId("urn:test:one"));
            topics.publish(List.of("news"), Event.of("two").withId("urn:test:two"));
            await().atMost(Duration.ofSeconds(30)).until(() -> metrics.lags.size() == 2);
            assertTrue(metrics.lags.stream().allMatch(l -> l >= 0), "each delivery knows its lag: " + metrics.lags);
        }
    }

    @Test
    void meteredTopics_nameOnlyThoseTopics_theOthersShareOneTagWithTheirSubscribers() {
        Lags metrics = new Lags();
        try (Hub topics = Hub.builder().metrics(metrics).meteredTopics(List.of("news")).build()) {
            topics.topic("news", String.class).subscribe(topics.open(new FakeSse.Sink()), null);
            topics.topic("orders/1", String.class).subscribe(topics.open(new FakeSse.Sink()), null);
            topics.topic("orders/2", String.class).subscribe(topics.open(new FakeSse.Sink()), null);
            topics.publish(List.of("orders/3"), Event.of("x"));
            assertEquals(List.of("news", "ssekit:other-topics"), metrics.bound.stream().sorted().toList());
            assertEquals(1, metrics.gauges.get("news").getAsInt());
            assertEquals(2, metrics.gauges.get("ssekit:other-topics").getAsInt(), "the others' subscribers");
            assertEquals(1, topics.stats("orders/3").published(), "stats still count each topic");
        }
    }
}
