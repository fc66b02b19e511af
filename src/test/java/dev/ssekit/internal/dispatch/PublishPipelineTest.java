package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.HubClosedException;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.testkit.GatedStore;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group commit: publishers that arrive while the store is busy share its next call. */
class PublishPipelineTest {
    @Test
    void publish_whileTheStoreIsBusy_waitingPublishersShareOneStoreCallAndAreHandedOnInIdOrder() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.create()); // a slow first round trip
        store.gateFirstAppend();
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store,
                batch -> batch.forEach(p -> handedOn.add(p.event().id().orElseThrow())));
        Thread first = new Thread(() -> pipeline.publish(Set.of("t"), Event.of("first"), null));
        first.start();
        assertTrue(store.appendStarted.await(30, TimeUnit.SECONDS));
        List<Thread> others = new ArrayList<>();
        List<String> ids = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 15; i++) {
            int n = i;
            Thread t = new Thread(() -> ids.add(pipeline.publish(Set.of("t"), Event.of("e" + n), null).id().orElseThrow()));
            others.add(t);
            t.start();
        }
        // All 15 wait behind the first store call (parked in the pipeline), then it returns.
        await().atMost(Duration.ofSeconds(30)).until(() -> others.stream()
                .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING));
        store.gate.countDown();
        first.join(30_000);
        for (Thread t : others) {
            t.join(30_000);
        }
        assertEquals(List.of(1, 15), store.batchSizes, "the 15 waiting publishers shared one store call");
        assertEquals(16, handedOn.size());
        List<String> sorted = new ArrayList<>(handedOn);
        sorted.sort((a, b) -> Long.compare(seq(a), seq(b)));
        assertEquals(sorted, handedOn, "handed on in id order");
        assertTrue(handedOn.containsAll(ids));
    }

    @Test
    void publish_whileABatchIsHandedOn_theNextIsStoredMeanwhileAndHandedOnAfterIt() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.create());
        java.util.concurrent.CountDownLatch fanOutStarted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch fanOutGate = new java.util.concurrent.CountDownLatch(1);
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, batch -> {
            if (batch.get(0).event().data().equals("first")) { // a wide, slow fan-out
                fanOutStarted.countDown();
                await().atMost(Duration.ofSeconds(30)).until(() -> fanOutGate.getCount() == 0);
            }
            batch.forEach(p -> handedOn.add(p.event().data()));
        });
        Thread first = new Thread(() -> pipeline.publish(Set.of("t"), Event.of("first"), null));
        first.start();
        assertTrue(fanOutStarted.await(30, TimeUnit.SECONDS));
        Thread second = new Thread(() -> pipeline.publish(Set.of("t"), Event.of("second"), null));
        second.start();
        // The store is not held by the first batch's fan-out: the second batch is stored now...
        await().atMost(Duration.ofSeconds(30)).until(() -> store.batchSizes.size() == 2);
        // ...but handed on only after the first.
        assertEquals(List.of(), handedOn);
        fanOutGate.countDown();
        first.join(30_000);
        second.join(30_000);
        assertEquals(List.of("first", "second"), handedOn);
    }

    private static long seq(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    @Test
    void close_refusesNewPublishesAfterAcceptedOnesFinish() {
        PublishPipeline pipeline = new PublishPipeline("test", InMemoryHistoryStore.create(), batch -> {
        });
        pipeline.publish(Set.of("t"), Event.of("before"), null);
        assertTrue(pipeline.close(1000));
        assertEquals("test is closed", assertThrows(HubClosedException.class,
                () -> pipeline.publish(Set.of("t"), Event.of("after"), null)).getMessage());
    }
}
