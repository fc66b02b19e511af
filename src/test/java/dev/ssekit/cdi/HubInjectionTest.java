package dev.ssekit.cdi;

import dev.ssekit.Conn;
import dev.ssekit.Hub;
import dev.ssekit.HubClosedException;
import dev.ssekit.Topic;
import dev.ssekit.internal.cdi.HubProducer;
import dev.ssekit.spi.SubscriberConnected;
import dev.ssekit.spi.SubscriberDisconnected;
import dev.ssekit.testsupport.FakeSse;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code @Inject @TopicName Topic<T>} in a real CDI container (Weld SE). */
class HubInjectionTest {
    /** A value type for a JSON hub; public for JSON-B. */
    public record Order(String item, int qty) {
    }

    /** Dependent, so that the test reads its fields rather than a client proxy's. */
    @Dependent
    public static class Shop {
        @Inject
        @TopicName("orders")
        Topic<Order> orders;

        @Inject
        @TopicName
        Topic<String> alerts;

        @Inject Hub topics;
    }

    /** Observes the subscriber events, as an application would. */
    @ApplicationScoped
    public static class Audit {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        void connected(@Observes SubscriberConnected event) {
            seen.add(event);
        }

        void disconnected(@Observes SubscriberDisconnected event) {
            seen.add(event);
        }

        Object next() throws InterruptedException {
            Object e = seen.poll(10, TimeUnit.SECONDS);
            assertTrue(e != null, "no subscriber event within 10 s");
            return e;
        }
    }

    private static WeldContainer start() {
        return new Weld("ssekit-cdi-test-" + System.nanoTime()).disableDiscovery()
                .addBeanClasses(HubProducer.class, Shop.class, Audit.class).initialize();
    }

    @Test
    void events_connectAndDisconnectAreObserved() throws Exception {
        try (WeldContainer weld = start()) {
            Shop shop = weld.select(Shop.class).get();
            Audit audit = weld.select(Audit.class).get();
            Conn conn = shop.topics.open(new FakeSse.Sink()); // no servlet request here: the address is unknown
            shop.topics.subscribe(conn, List.of("orders", "alerts"), null);
            assertEquals(new SubscriberConnected(Set.of("orders", "alerts"), Optional.empty()), audit.next());
            conn.close();
            assertEquals(new SubscriberDisconnected(Set.of("orders", "alerts"), Optional.empty(),
                    Conn.CloseReason.CLOSED), audit.next());
        }
    }

    @Test
    void inject_hubsOfNamedAndDefaultedTopicsShareOneRegistry() {
        try (WeldContainer weld = start()) {
            Shop shop = weld.select(Shop.class).get();
            assertEquals("orders", shop.orders.name());
            assertEquals(Order.class, shop.orders.type());
            assertEquals("alerts", shop.alerts.name(), "an empty @TopicName names the topic after the field");
            assertEquals(String.class, shop.alerts.type());
            assertSame(shop.orders, shop.topics.topic("orders", Order.class), "one registry for all injected hubs");
            String id = shop.orders.publish(new Order("tea", 2)).id();
            assertEquals("{\"item\":\"tea\",\"qty\":2}", shop.topics.history()
                    .read(java.util.Set.of("orders"), "earliest", null)
                    .events().get(0).data());
            assertTrue(!id.isEmpty());
        }
    }

    @Test
    void shutdown_closesTheApplicationsHubs() {
        Topic<String> alerts;
        try (WeldContainer weld = start()) {
            alerts = weld.select(Shop.class).get().alerts;
            alerts.publish("before");
        }
        assertThrows(HubClosedException.class, () -> alerts.publish("after"));
    }
}
