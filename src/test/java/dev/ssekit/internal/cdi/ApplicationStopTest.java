package dev.ssekit.internal.cdi;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.app.HubRegistry;
import dev.ssekit.testsupport.FakeSse;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application's stop is one budget: the injected hub's close and the hub app's (each a
 * {@code @PreDestroy}) run within the one {@code ssekit.shutdown.timeout}, not each within its own. The stop's clock is moved to its end as
 * soon as the stop starts, as if an earlier part had taken all of it: every later wait must then be
 * none. Each part would wait up to an hour of its own here (an hour's shutdown timeout, an hour's
 * write timeout and queue delay for clients that never read): with each hub's close on a budget
 * of its own, as on 3fc2971, the container's stop waited 42 minutes for a hub's stalled
 * stream (70 % of its own hour), and the bounded wait below failed.
 */
class ApplicationStopTest {
    private static final String SHUTDOWN_TIMEOUT = "ssekit.shutdown.timeout";
    private static final String WRITE_TIMEOUT = "ssekit.write.timeout";
    private static final String QUEUE_MAX_DELAY = "ssekit.queue.max.delay";

    @Dependent
    public static class Publisher {
        @Inject
        Hub topics;
    }

    @BeforeEach
    void patientSettings() {
        System.setProperty(SHUTDOWN_TIMEOUT, "1h");
        System.setProperty(WRITE_TIMEOUT, "1h");
        System.setProperty(QUEUE_MAX_DELAY, "1h");
    }

    @AfterEach
    void clearSettings() {
        System.clearProperty(SHUTDOWN_TIMEOUT);
        System.clearProperty(WRITE_TIMEOUT);
        System.clearProperty(QUEUE_MAX_DELAY);
    }

    /** Reads 0 at the stop's start, and its end (the whole hour and a nanosecond) ever after. */
    private static LongSupplier runOutAtOnce() {
        AtomicInteger reads = new AtomicInteger();
        return () -> reads.getAndIncrement() == 0 ? 0 : Duration.ofHours(1).toNanos() + 1;
    }

    @Test
    void containerStop_twoHubsStalled_eachJoinsTheOneBudgetAndNoneWaits() throws Exception {
        WeldContainer weld = new Weld("ssekit-stop-test-" + System.nanoTime()).disableDiscovery()
                .addBeanClasses(HubProducer.class, Publisher.class, HubRegistry.class)
                .addExtension(new SseKitExtension(runOutAtOnce())).initialize();
        Hub topics = weld.select(Publisher.class).get().topics;
        Conn hubStream = topics.open(FakeSse.Sink.stuck());
        topics.subscribe(hubStream, List.of("t"), null);
        topics.publish(List.of("t"), Event.of("never taken"));
        // The hub app's own hub, as in the hub WAR: a second part of the same stop.
        Hub app = weld.select(HubRegistry.class).get().hub();
        Conn opened = app.open(FakeSse.Sink.stuck());
        app.subscribe(opened, List.of("t"), null);
        app.publish(List.of("t"), Event.of("never taken either"));

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(weld::shutdown);

        // An hour and more for each part without the shared budget; none with it.
        await().atMost(Duration.ofSeconds(60)).until(stopping::isDone);
        stopping.get(0, TimeUnit.SECONDS);
        assertEquals(Conn.CloseReason.HUB_CLOSED, hubStream.done().toCompletableFuture().getNow(null),
                "the registry's stalled stream was cut when the stop's time was up");
        assertEquals(Conn.CloseReason.HUB_CLOSED, opened.done().toCompletableFuture().getNow(null),
                "the hub app's stalled stream was cut when the stop's time was up");
        assertTrue(topics.isClosed());
    }
}
