package dev.ssekit.internal.dispatch;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.LogCapture;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber cut as a slow consumer is never cut silently: a warning names the topic and the reason. */
class CutWarningsTest {
    @Test
    void overflow_logsAWarningNamingTopicAndReason() {
        LogCapture log = LogCapture.all(CutWarnings.class.getName());
        // A sink whose first write never completes: the queue behind it fills.
        FakeSse.Sink stuck = FakeSse.Sink.stuck();
        try (Hub topics = Hub.builder().queueCapacity(2).writeTimeout(Duration.ofMinutes(5)).build()) {
            Conn conn = topics.open(stuck);
            topics.subscribe(conn, List.of("orders/42"), null);
            for (int i = 0; i < 5; i++) {
                topics.publish(List.of("orders/42"), Event.of("e" + i));
            }
            assertEquals(Conn.CloseReason.SLOW_CONSUMER,
                    conn.done().toCompletableFuture().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
            await().atMost(Duration.ofSeconds(30)).until(() -> !log.records().isEmpty());
            LogRecord r = log.records().get(0);
            assertEquals(Level.WARNING, r.getLevel());
            assertTrue(r.getMessage().contains("topic \"orders/42\" (slow consumer: its queue of 2 events was full"),
                    r.getMessage());
        } finally {
            log.close();
        }
    }

    @Test
    void cut_namesTheBoundThatCutTheConnection_queueDelay() {
        LogCapture log = LogCapture.all(CutWarnings.class.getName());
        // Room for every event; only the age of the oldest can cut it.
        FakeSse.Sink stuck = FakeSse.Sink.stuck();
        try (Hub topics = Hub.builder().queueMaxDelay(Duration.ofMillis(200))
                .writeTimeout(Duration.ofMinutes(5)).build()) {
            Conn conn = topics.open(stuck);
            topics.subscribe(conn, List.of("orders/43"), null);
            topics.publish(List.of("orders/43"), Event.of("waits"));
            assertEquals(Conn.CloseReason.SLOW_CONSUMER,
                    conn.done().toCompletableFuture().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
            await().atMost(Duration.ofSeconds(30)).until(() -> !log.records().isEmpty());
            String message = log.records().get(0).getMessage();
            assertTrue(message.contains("topic \"orders/43\" (slow consumer: an event waited over 200 ms for it "
                    + "(queueMaxDelay))"), message);
        } finally {
            log.close();
        }
    }
}
