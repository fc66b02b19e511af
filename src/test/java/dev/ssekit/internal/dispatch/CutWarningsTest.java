package dev.ssekit.internal.dispatch;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber cut as a slow consumer is never cut silently: a warning names the topic and the reason. */
class CutWarningsTest {
    @Test
    void overflow_logsAWarningNamingTopicAndReason() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = capture(records);
        Logger logger = Logger.getLogger(CutWarnings.class.getName());
        logger.addHandler(capture);
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
            await().atMost(Duration.ofSeconds(30)).until(() -> !records.isEmpty());
            LogRecord r = records.get(0);
            assertEquals(Level.WARNING, r.getLevel());
            assertTrue(r.getMessage().contains("topic \"orders/42\" (slow consumer: its queue of 2 events was full"),
                    r.getMessage());
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void cut_namesTheBoundThatCutTheConnection_queueDelay() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = capture(records);
        Logger logger = Logger.getLogger(CutWarnings.class.getName());
        logger.addHandler(capture);
        // Room for every event; only the age of the oldest can cut it.
        FakeSse.Sink stuck = FakeSse.Sink.stuck();
        try (Hub topics = Hub.builder().queueMaxDelay(Duration.ofMillis(200))
                .writeTimeout(Duration.ofMinutes(5)).build()) {
            Conn conn = topics.open(stuck);
            topics.subscribe(conn, List.of("orders/43"), null);
            topics.publish(List.of("orders/43"), Event.of("waits"));
            assertEquals(Conn.CloseReason.SLOW_CONSUMER,
                    conn.done().toCompletableFuture().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
            await().atMost(Duration.ofSeconds(30)).until(() -> !records.isEmpty());
            String message = records.get(0).getMessage();
            assertTrue(message.contains("topic \"orders/43\" (slow consumer: an event waited over 200 ms for it "
                    + "(queueMaxDelay))"), message);
        } finally {
            logger.removeHandler(capture);
        }
    }

    /** @return a log handler that adds every record to {@code records} */
    private static Handler capture(List<LogRecord> records) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
