package dev.ssekit.history;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.Hub;
import dev.ssekit.Subscription;
import dev.ssekit.testsupport.FakeSse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Redis of the test's own, on a free port, stopped and started again while the store is in use. */
class RedisOutageTest {
    private Process redis;
    private int port;

    private void startRedis() throws IOException {
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectOutput(new File("target/redis-outage.log"))
                .redirectErrorStream(true).start();
        await().atMost(Duration.ofSeconds(20)).until(this::listening);
    }

    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterEach
    void stopRedis() {
        if (redis != null) {
            redis.destroyForcibly();
        }
    }

    @Test
    void publish_failsWhileRedisIsAwayAndWorksWhenItIsBack() throws Exception {
        boolean installed = new ProcessBuilder("redis-server", "--version").start().waitFor(10, TimeUnit.SECONDS);
        Assumptions.assumeTrue(installed, "redis-server is not installed: cannot run a Redis of the test's own");
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        startRedis();
        RedisHistoryStore store = RedisHistoryStore.builder("redis://127.0.0.1:" + port)
                .commandTimeout(Duration.ofSeconds(2)).build();
        try (Hub topics = Hub.builder().history(store).build()) {
            FakeSse.Sink sink = new FakeSse.Sink();
            Conn first = topics.open(sink);
            topics.subscribe(first, List.of("t"), null);
            String before = topics.publish(List.of("t"), Event.of("before")).id();
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.ids().equals(List.of(before)));

            redis.destroy();
            assertTrue(redis.waitFor(20, TimeUnit.SECONDS));
            HistoryStoreException e = assertThrows(HistoryStoreException.class,
                    () -> topics.publish(List.of("t"), Event.of("lost")));
            assertTrue(e.getMessage().startsWith("Redis refused the append"), e.getMessage());

            startRedis(); // empty again, as it keeps no files: the node cannot know what it lost
            String after = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> topics.publish(List.of("t"), Event.of("after")).id(), id -> id != null);
            // The feed's count broke: the node ends its streams so that clients catch up by replay.
            assertEquals(Conn.CloseReason.ERROR, first.done().toCompletableFuture().get(60, TimeUnit.SECONDS));
            assertEquals(List.of(before), sink.ids(), "the refused event reached nobody");
            // The client comes back with its last id, which this Redis never issued: all it holds.
            FakeSse.Sink again = new FakeSse.Sink();
            Subscription s = topics.subscribe(topics.open(again), List.of("t"), before);
            assertEquals(HistoryStore.EARLIEST, s.replayStartedAfter().orElseThrow());
            await().atMost(Duration.ofSeconds(30)).until(() -> again.ids().equals(List.of(after)));
            String live = topics.publish(List.of("t"), Event.of("live")).id();
            await().atMost(Duration.ofSeconds(30)).until(() -> again.ids().equals(List.of(after, live)));
            assertEquals(List.of("after", "live"), store.read(Set.of("t"), HistoryStore.EARLIEST, null)
                    .events().stream().map(Event::data).toList());
        } finally {
            store.close();
        }
    }
}
