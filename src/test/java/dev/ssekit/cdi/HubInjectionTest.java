package dev.ssekit.cdi;

import dev.ssekit.Hub;
import dev.ssekit.HubClosedException;
import dev.ssekit.Topic;
import dev.ssekit.Topics;
import dev.ssekit.internal.cdi.HubProducer;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code @Inject @Topic Hub<T>} in a real CDI container (Weld SE). */
class HubInjectionTest {
    /** A value type for a JSON hub; public for JSON-B. */
    public record Order(String item, int qty) {
    }

    /** Dependent, so that the test reads its fields rather than a client proxy's. */
    @Dependent
    public static class Shop {
        @Inject
        @Topic("orders")
        Hub<Order> orders;

        @Inject
        @Topic
        Hub<String> alerts;

        @Inject
        @Topic
        Topics topics;
    }

    private static WeldContainer start() {
        return new Weld("ssekit-cdi-test-" + System.nanoTime()).disableDiscovery()
                .addBeanClasses(HubProducer.class, Shop.class).initialize();
    }

    @Test
    void inject_hubsOfNamedAndDefaultedTopicsShareOneRegistry() {
        try (WeldContainer weld = start()) {
            Shop shop = weld.select(Shop.class).get();
            assertEquals("orders", shop.orders.topic());
            assertEquals(Order.class, shop.orders.type());
            assertEquals("alerts", shop.alerts.topic(), "an empty @Topic names the topic after the field");
            assertEquals(String.class, shop.alerts.type());
            assertSame(shop.orders, shop.topics.hub("orders", Order.class), "one registry for all injected hubs");
            String id = shop.orders.broadcast(new Order("tea", 2));
            assertEquals("{\"item\":\"tea\",\"qty\":2}", shop.topics.history()
                    .read(java.util.Set.of("orders"), "earliest", null).toCompletableFuture().join()
                    .events().get(0).data());
            assertTrue(!id.isEmpty());
        }
    }

    @Test
    void shutdown_closesTheApplicationsHubs() {
        Hub<String> alerts;
        try (WeldContainer weld = start()) {
            alerts = weld.select(Shop.class).get().alerts;
            alerts.broadcast("before");
        }
        assertTrue(alerts.isClosed());
        assertThrows(HubClosedException.class, () -> alerts.broadcast("after"));
    }
}
