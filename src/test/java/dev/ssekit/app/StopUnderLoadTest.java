package dev.ssekit.app;

import dev.ssekit.testsupport.HubProcess;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a hub process while six publishers post over HTTP: every publish is answered 200 (and
 * then reaches the live stream before {@code : closing}) or 503, never anything else, and the stream
 * ends cleanly.
 */
class StopUnderLoadTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PUBLISHERS = 6;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis"})
    void sigterm_whilePublishing_liveStreamsGetEveryAcknowledgedEventAndRacingPublishesGet503(String store)
            throws Exception {
        String prefix = "ssekit-test:" + UUID.randomUUID() + ":";
        if (store.equals("redis")) {
            Services.requireRedis();
        }
        HubProcess hub = HubProcess.start(Map.of("SSEKIT_HISTORY_STORE", store, "SSEKIT_HISTORY_REDIS_KEY_PREFIX", prefix));
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> otherAnswers = new ConcurrentLinkedQueue<>();
        CountDownLatch some = new CountDownLatch(60);
        List<Thread> publishers = new ArrayList<>();
        try (RawSseClient live = MercureClient.subscribeRaw(hub.uri(), "topic=t", Map.of())) {
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                Thread t = new Thread(() -> {
                    for (int i = 0; ; i++) {
                        HttpResponse<String> r;
                        try {
                            r = MercureClient.post(hub.uri(), "topic=t&data=" + publisher + "-" + i, Map.of());
                        } catch (IOException | InterruptedException e) {
                            return; // no answer (the server had stopped listening): not acknowledged
                        } catch (Exception e) {
                            otherAnswers.add(e.toString());
                            return;
                        }
                        if (r.statusCode() == 200) {
                            acknowledged.add(r.body());
                            some.countDown();
                        } else {
                            if (r.statusCode() != 503) {
                                otherAnswers.add(r.statusCode() + " " + r.body());
                            }
                            return;
                        }
                    }
                }, "publisher-" + p);
                publishers.add(t);
                t.start();
            }
            assertTrue(some.await(60, TimeUnit.SECONDS), "publishing started");
            hub.terminate();
            for (Thread t : publishers) {
                t.join(WAIT.toMillis());
            }
            assertTrue(live.awaitEnd(WAIT), "the stream ends");
            assertNull(live.failure(), "a clean end of stream, not a reset");
            assertTrue(live.rawText().matches("(?s).*\n: closing\nretry: 5000\n\n+"), "the last words: " + live.rawText());
            Set<String> received = new HashSet<>();
            live.drain().forEach(e -> received.add(e.id()));
            List<String> missed = acknowledged.stream().filter(id -> !received.contains(id)).toList();
            assertEquals(List.of(), missed, "acknowledged, but not written before ': closing'");
            assertEquals(List.of(), List.copyOf(otherAnswers), "answers other than 200 and 503");
        } finally {
            hub.close();
            if (store.equals("redis")) {
                RedisKeys.deleteAll(prefix);
            }
        }
    }
}
