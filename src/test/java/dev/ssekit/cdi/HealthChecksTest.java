package dev.ssekit.cdi;

import dev.ssekit.Hub;
import dev.ssekit.internal.cdi.HubProducer;
import dev.ssekit.internal.cdi.SseKitExtension;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ssekit's MicroProfile Health checks as a health implementation finds them: beans of type
 * {@link HealthCheck} qualified {@code @Readiness} and {@code @Liveness}, added by ssekit's extension
 * because the API is on the class path (Weld SE, the in-memory store). The store going away and
 * coming back is tested on a server, with the hub WAR ({@code HealthIT}).
 */
class HealthChecksTest {
    @Dependent
    public static class Publisher {
        @Inject Hub topics;
    }

    private static WeldContainer start() {
        return new Weld("ssekit-health-test-" + System.nanoTime()).disableDiscovery()
                .addBeanClasses(HubProducer.class, Publisher.class).addExtension(new SseKitExtension()).initialize();
    }

    private static HealthCheckResponse only(WeldContainer weld, java.lang.annotation.Annotation kind) {
        List<HealthCheck> checks = weld.select(HealthCheck.class, kind).stream().toList();
        assertEquals(1, checks.size(), "ssekit adds one check of each kind");
        return checks.get(0).call();
    }

    @Test
    void readiness_upWhileTheStoreAnswersAndDownOnceTheApplicationStops() {
        try (WeldContainer weld = start()) {
            weld.select(Publisher.class).get().topics.publish(List.of("t"), dev.ssekit.Event.of("x"));
            HealthCheckResponse ready = only(weld, Readiness.Literal.INSTANCE);
            assertEquals("ssekit-history", ready.getName());
            assertEquals(HealthCheckResponse.Status.UP, ready.getStatus());
            // Every registry of this class loader is reported; other tests' may still be open.
            assertTrue(String.valueOf(ready.getData().orElseThrow().get("store")).contains("InMemoryHistoryStore"),
                    String.valueOf(ready.getData()));

            weld.select(HubProducer.class).get().close();
            HealthCheckResponse stopping = only(weld, Readiness.Literal.INSTANCE);
            assertEquals(HealthCheckResponse.Status.DOWN, stopping.getStatus());
            assertEquals(Optional.of(Map.of("error", "the application is stopping")), stopping.getData());
        }
    }

    @Test
    void readiness_reportsARegistryTheApplicationBuiltItself_andDownWhileItsStoreFails() {
        dev.ssekit.history.HistoryStore failing = dev.ssekit.history.InMemoryHistoryStore.create();
        try (WeldContainer weld = start();
             Hub own = Hub.builder().history(new dev.ssekit.testsupport.ForwardingStore(failing) {
                 @Override
                 public void check() {
                     throw new dev.ssekit.HistoryStoreException("the test's store is unreachable", null);
                 }

                 @Override
                 public void close() {
                 }
             }).build()) {
            HealthCheckResponse down = only(weld, Readiness.Literal.INSTANCE);
            assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
            assertEquals(Optional.of(Map.of("error", "the test's store is unreachable")), down.getData());
            assertEquals(null, weld.select(HubProducer.class).get().existing(), "the probe opened nothing");
        }
    }

    @Test
    void liveness_upWhileTheThreadsRun_neverOpensTheHubs() {
        try (WeldContainer weld = start()) {
            HealthCheckResponse before = only(weld, Liveness.Literal.INSTANCE);
            assertEquals("ssekit-threads", before.getName());
            assertEquals(HealthCheckResponse.Status.UP, before.getStatus());
            assertEquals(null, weld.select(HubProducer.class).get().existing(), "the probe opened nothing");

            weld.select(Publisher.class).get().topics.publish(List.of("t"), dev.ssekit.Event.of("x"));
            HealthCheckResponse running = only(weld, Liveness.Literal.INSTANCE);
            assertEquals(HealthCheckResponse.Status.UP, running.getStatus());
            assertTrue(running.getData().orElseThrow().containsKey("clients"), String.valueOf(running.getData()));
        }
    }
}
