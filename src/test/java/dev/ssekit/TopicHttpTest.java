package dev.ssekit;

import dev.ssekit.spi.Codec;
import dev.ssekit.testkit.ReceivedEvent;
import dev.ssekit.testkit.SseRecorder;
import dev.ssekit.testsupport.StreamServerTest;

import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.sse.InboundSseEvent;
import jakarta.ws.rs.sse.SseEventSource;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topic and Hub over real HTTP on loopback. */
class TopicHttpTest extends StreamServerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration HEARTBEAT = Duration.ofMillis(600);
    @Override
    protected Hub.Builder topicsBuilder() {
        return Hub.builder().heartbeat(HEARTBEAT).queueCapacity(16).writeTimeout(Duration.ofSeconds(3));
    }

    private SseRecorder subscribe(String query) {
        return open("/s/topics?" + query);
    }

    private SseRecorder open(String pathAndQuery) {
        SseRecorder c = SseRecorder.to(URI.create("http://127.0.0.1:" + getBaseUri().getPort() + pathAndQuery)).timeout(WAIT).open();
        assertEquals(200, c.status());
        return c;
    }

    @Test
    void publish_reachesThousandHttpSubscribers() throws Exception {
        Topic<String> hub = topics.topic("news", String.class);
        List<SseRecorder> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                clients.add(open("/s/topics?topic=news"));
            }
            await().atMost(WAIT).until(() -> hub.stats().subscribers() == 1000);
            String id = hub.publish("to everyone").id();
            for (SseRecorder c : clients) {
                assertEquals(new ReceivedEvent(id, null, "to everyone", null), c.takeEvent());
            }
        } finally {
            clients.forEach(SseRecorder::close);
        }
    }

    @Test
    void disconnectedClient_leavesTheHubWithinAHeartbeat() throws Exception {
        Topic<String> hub = topics.topic("t", String.class);
        SseRecorder client = subscribe("topic=t");
        Conn conn = resource.opened.poll(10, TimeUnit.SECONDS);
        assertNotNull(conn);
        await().atMost(WAIT).until(() -> hub.stats().subscribers() == 1);
        client.close();
        // No broadcast happens: only heartbeats can find out. The bound is generous for a loaded
        // machine; without heartbeats the connection would stay until the TCP keep-alive gives up.
        await().atMost(HEARTBEAT.multipliedBy(5)).until(() -> hub.stats().subscribers() == 0);
        assertEquals(Conn.CloseReason.CLIENT_GONE, conn.done().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void openedButNeverSubscribed_clientThatLeftIsNoticed() throws Exception {
        try (Socket client = new Socket("127.0.0.1", getBaseUri().getPort())) {
            client.getOutputStream().write(("GET /s/unsubscribed HTTP/1.1\r\nHost: x\r\n"
                    + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Conn conn = resource.opened.poll(10, TimeUnit.SECONDS);
            assertNotNull(conn);
            client.close();
            // Never subscribed, so never written to before: heartbeats now find that the client left.
            assertEquals(Conn.CloseReason.CLIENT_GONE, conn.done().toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void slowSubscriber_doesNotHoldBackOthersAndIsCut() throws Exception {
        Topic<String> hub = topics.topic("firehose", String.class);
        // A client that subscribes and then never reads: its socket buffers fill, then its queue.
        Socket stuck = new Socket();
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new InetSocketAddress("127.0.0.1", getBaseUri().getPort()));
        stuck.getOutputStream().write(("GET /s/topics?topic=firehose HTTP/1.1\r\nHost: x\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Conn slow = resource.opened.poll(10, TimeUnit.SECONDS);
        assertNotNull(slow);
        try (SseRecorder fast = subscribe("topic=firehose")) {
            await().atMost(WAIT).until(() -> hub.stats().subscribers() == 2);
            String big = "x".repeat(64 * 1024);
            // In step with the fast client (its queue of 16 is no place for a burst), far past what
            // the stuck client's socket buffers and queue can hold.
            int events = 0;
            while (!slow.isClosed() && events < 2000) {
                hub.publish(events + ":" + big);
                assertTrue(fast.takeEvent().data().startsWith(events + ":"), "event " + events + " out of order");
                events++;
            }
            assertTrue(slow.isClosed(), "the stuck client was never cut");
            Conn.CloseReason reason = slow.done().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertTrue(reason == Conn.CloseReason.SLOW_CONSUMER || reason == Conn.CloseReason.WRITE_TIMEOUT,
                    "the stuck client must be cut by the policy, was " + reason);
            await().atMost(WAIT).until(() -> hub.stats().subscribers() == 1);
            // The counts behind the metrics: one subscriber cut, what it still had queued dropped.
            int published = events;
            await().atMost(WAIT).until(() -> hub.stats().cut() == 1);
            TopicStats stats = hub.stats();
            assertEquals(1, stats.subscribers());
            assertEquals(published, stats.published());
            assertTrue(stats.dropped() >= 1, "the cut subscriber's queued events count as dropped: " + stats);
            assertTrue(stats.delivered() >= published, "the fast client got every event: " + stats);
        } finally {
            stuck.close();
        }
    }

    @Test
    void dropOldest_keepsTheSlowClientAndCountsDrops() throws Exception {
        Topic<String> hub = topics.topic("t", String.class);
        Socket stuck = new Socket();
        stuck.setReceiveBufferSize(4096);
        stuck.connect(new InetSocketAddress("127.0.0.1", getBaseUri().getPort()));
        stuck.getOutputStream().write(("GET /s/standalone?policy=DROP_OLDEST&capacity=4 HTTP/1.1\r\nHost: x\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Conn slow = resource.opened.poll(10, TimeUnit.SECONDS);
        assertNotNull(slow);
        hub.subscribe(slow, null);
        String big = "y".repeat(64 * 1024);
        try {
            for (int i = 0; i < 2000 && slow.dropped() == 0; i++) {
                hub.publish(big);
            }
            assertTrue(slow.dropped() > 0, "a full queue must drop its oldest events");
            assertTrue(!slow.isClosed(), "DROP_OLDEST keeps the connection");
            assertEquals(1, hub.stats().subscribers());
            assertEquals(slow.dropped(), hub.stats().dropped(), "the topic counts every drop of its subscriber");
            assertEquals(0, hub.stats().cut());
        } finally {
            stuck.close();
        }
    }

    @Test
    void cancel_stopsEventsButKeepsTheConnection() throws Exception {
        Topic<String> hub = topics.topic("t", String.class);
        try (SseRecorder client = open("/s/standalone")) {
            Conn conn = resource.opened.poll(10, TimeUnit.SECONDS);
            assertNotNull(conn);
            Subscription subscription = hub.subscribe(conn, null);
            hub.publish("one");
            assertEquals("one", client.takeEvent().data());
            subscription.cancel();
            assertEquals(0, hub.stats().subscribers());
            hub.publish("two");
            conn.send(Event.of("direct")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("direct", client.takeEvent().data(), "after cancel only direct sends arrive");
            assertTrue(!conn.isClosed());
        }
    }

    @Test
    void close_endsEveryStreamAndRefusesLaterCalls() throws Exception {
        Topic<String> hub = topics.topic("t", String.class);
        List<SseRecorder> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(subscribe("topic=t"));
        }
        await().atMost(WAIT).until(() -> hub.stats().subscribers() == 3);
        hub.publish("bye");
        topics.close();
        for (SseRecorder c : clients) {
            assertEquals("bye", c.takeEvent().data(), "queued events are written before the stream ends");
            c.awaitEnd(); // the stream ends when the hub closes
            c.close();
        }
        assertThrows(HubClosedException.class, () -> hub.publish("late"));
        assertThrows(HubClosedException.class, () -> topics.topic("other", String.class));
        Conn conn = resource.opened.poll(10, TimeUnit.SECONDS);
        HubClosedException e = assertThrows(HubClosedException.class, () -> hub.subscribe(conn, null));
        assertEquals("ssekit is closed", e.getMessage(), "named after the hub (Hub.Builder.name)");
    }

    @Test
    void filter_deliversOnlyAcceptedValuesLiveAndOnReplay() throws Exception {
        Topic<Integer> numbers = topics.topic("numbers", Integer.class);
        numbers.publish(1);
        numbers.publish(2);
        try (SseRecorder client = open("/s/standalone")) {
            Conn conn = resource.opened.poll(10, TimeUnit.SECONDS);
            assertNotNull(conn);
            Subscription s = numbers.subscribe(conn, "earliest", n -> n % 2 == 0);
            assertEquals(1, s.replayed());
            assertEquals(1, numbers.stats().replayed());
            numbers.publish(3);
            numbers.publish(4);
            topics.publish(List.of(numbers.name()), Event.of("6"));
            List<ReceivedEvent> got = client.takeEvents(3);
            assertEquals(List.of("2", "4", "6"), got.stream().map(ReceivedEvent::data).toList());
        }
    }

    @Test
    void multiTopic_subscriberGetsAnEventOnBothTopicsOnce() throws Exception {
        try (SseRecorder client = subscribe("topic=a&topic=b")) {
            await().atMost(WAIT).until(() -> topics.clients() == 1);
            topics.publish(List.of("a"), Event.of("only a"));
            topics.publish(List.of("a", "b"), Event.of("both"));
            topics.publish(List.of("c"), Event.of("not mine"));
            topics.publish(List.of("b"), Event.of("only b"));
            List<ReceivedEvent> got = client.takeEvents(3);
            assertEquals(List.of("only a", "both", "only b"), got.stream().map(ReceivedEvent::data).toList());
            // An event on both topics is delivered once, and counted once: under the first topic.
            await().atMost(WAIT).until(() -> topics.stats("a").delivered() + topics.stats("b").delivered() == 3);
            assertEquals(new TopicStats(1, 2, 2, 0, 0, 0), topics.stats("a"));
            assertEquals(new TopicStats(1, 2, 1, 0, 0, 0), topics.stats("b"));
            assertEquals(new TopicStats(0, 1, 0, 0, 0, 0), topics.stats("c"));
        }
    }

    @Test
    void topicMatcher_getsMatchingEventsOnceBesideExactTopics() throws Exception {
        try (SseRecorder exact = subscribe("topic=books/1");
             SseRecorder both = open("/s/prefix?topic=books/1&prefix=books/");
             SseRecorder onlyPattern = open("/s/prefix?prefix=authors/")) {
            await().atMost(WAIT).until(() -> topics.clients() == 3);
            topics.publish(List.of("books/1"), Event.of("book 1"));
            topics.publish(List.of("books/2"), Event.of("book 2"));
            topics.publish(List.of("books/1", "authors/9"), Event.of("book 1 by 9"));
            topics.publish(List.of("films/1"), Event.of("film"));
            topics.publish(List.of("authors/9"), Event.of("author 9"));
            assertEquals(List.of("book 1", "book 1 by 9"), exact.takeEvents(2).stream().map(ReceivedEvent::data).toList());
            // The exact topic and the matcher both select "book 1": it arrives once.
            assertEquals(List.of("book 1", "book 2", "book 1 by 9"),
                    both.takeEvents(3).stream().map(ReceivedEvent::data).toList());
            assertEquals(List.of("book 1 by 9", "author 9"),
                    onlyPattern.takeEvents(2).stream().map(ReceivedEvent::data).toList());
            // Nothing else came: a last event on every connection arrives next.
            topics.publish(List.of("books/1", "authors/end"), Event.of("END"));
            assertEquals("END", exact.takeEvent().data());
            assertEquals("END", both.takeEvent().data());
            assertEquals("END", onlyPattern.takeEvent().data());
            // A matcher's connection leaves with it: the registry forgets its matcher.
            onlyPattern.close();
            await().atMost(WAIT).until(() -> topics.clients() == 2);
        }
    }

    @Test
    void jerseySseEventSource_receivesTypedEventsWithIds() throws Exception {
        Topic<Map<String, Object>> orders = topics.topic("orders", castMap());
        Client client = ClientBuilder.newClient();
        BlockingQueue<InboundSseEvent> received = new LinkedBlockingQueue<>();
        try (SseEventSource source = SseEventSource.target(client.target(getBaseUri()).path("s/topics")
                .queryParam("topic", "orders")).build()) {
            source.register(received::add);
            source.open();
            await().atMost(WAIT).until(() -> orders.stats().subscribers() == 1);
            String id = topics.publish(List.of("orders"), Event.of("{\"n\":1}").withType("created")).id();
            InboundSseEvent e;
            do { // Jersey's client hands over comment-only events (": connected") too
                e = received.poll(30, TimeUnit.SECONDS);
                assertNotNull(e);
            } while (e.isEmpty());
            assertEquals("created", e.getName());
            assertEquals(id, e.getId());
            assertEquals("{\"n\":1}", e.readData());
        } finally {
            client.close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Class<Map<String, Object>> castMap() {
        return (Class) Map.class;
    }

    /** A JSON-B value type; public so that JSON-B can read it. */
    public record Order(String item, int qty) {
    }

    @Test
    void publish_encodesJsonOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger encodes = new java.util.concurrent.atomic.AtomicInteger();
        Codec<Order> counting = Codec.of(o -> {
            encodes.incrementAndGet();
            return Codec.json(Order.class).encode(o);
        }, d -> Codec.json(Order.class).decode(d));
        Topic<Order> orders = topics.topic("orders", Order.class, counting);
        List<SseRecorder> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                clients.add(subscribe("topic=orders"));
            }
            await().atMost(WAIT).until(() -> orders.stats().subscribers() == 5);
            orders.publish(new Order("tea", 2));
            for (SseRecorder c : clients) {
                assertEquals("{\"item\":\"tea\",\"qty\":2}", c.takeEvent().data());
            }
            assertEquals(1, encodes.get(), "one encode per broadcast, not per subscriber");
        } finally {
            clients.forEach(SseRecorder::close);
        }
    }
}
