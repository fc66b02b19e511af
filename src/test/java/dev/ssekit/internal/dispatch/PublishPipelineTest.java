package dev.ssekit.internal.dispatch;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.HistoryStoreException;
import dev.ssekit.HubClosedException;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.testsupport.ForwardingStore;
import dev.ssekit.testsupport.GatedStore;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group commit: publishers that arrive while the store is busy share its next call. */
class PublishPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @Test
    void publish_whileTheStoreIsBusy_waitingPublishersShareOneStoreCallAndAreHandedOnInIdOrder() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.create()); // a slow first round trip
        store.gateFirstAppend();
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT,
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
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT, batch -> {
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

    /**
     * A store whose appends each go to one place, chosen by the first letter of the topic (as a
     * partitioned store's go to a topic's home partition): it records the places of each append.
     */
    private static final class KeyedStore extends ForwardingStore {
        final List<Set<Integer>> appendedKeys = new CopyOnWriteArrayList<>();

        KeyedStore(HistoryStore delegate) {
            super(delegate);
        }

        @Override
        public int batchKey(Entry entry) {
            return entry.topics().iterator().next().charAt(0);
        }

        @Override
        public List<Event> append(List<Entry> batch) {
            Set<Integer> keys = new java.util.TreeSet<>();
            batch.forEach(e -> keys.add(batchKey(e)));
            appendedKeys.add(keys);
            return super.append(batch);
        }
    }

    /** A pipeline that hands events on itself (a store of one node): one lane, appends in id order. */
    private static final PublishPipeline.Recovery HANDS_ON = new PublishPipeline.Recovery(null, newest -> {
    }, () -> {
    });

    @Test
    void publish_throughLanes_anotherKeysPublishIsStoredWhileOneKeysAppendIsBusy() throws Exception {
        GatedStore gated = new GatedStore(InMemoryHistoryStore.create());
        KeyedStore store = new KeyedStore(gated);
        gated.gateFirstAppend();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT, batch -> {
        }); // a shared store's: its follow hands on, so keys are stored at the same time
        Thread first = new Thread(() -> pipeline.publish(Set.of("a"), Event.of("first"), null));
        first.start();
        assertTrue(gated.appendStarted.await(30, TimeUnit.SECONDS));
        // Key b's lane is free: its publish is stored now, while key a's append still hangs.
        Event other = pipeline.publish(Set.of("b"), Event.of("other"), null);
        assertTrue(first.isAlive());
        List<PublishPipeline.Outcome> all = pipeline.publishAll(
                List.of(new HistoryStore.Entry(Set.of("b1"), Event.of("b1")), new HistoryStore.Entry(Set.of("c1"), Event.of("c1")),
                        new HistoryStore.Entry(Set.of("b2"), Event.of("b2"))), java.util.Arrays.asList(null, null, null));
        assertTrue(first.isAlive(), "key a's append still hangs");
        long previous = seq(other.id().orElseThrow());
        for (PublishPipeline.Outcome o : all) {
            long id = seq(o.stored().id().orElseThrow());
            assertTrue(id > previous, "a publisher's events keep its order across lanes: " + all);
            previous = id;
        }
        gated.gate.countDown();
        first.join(30_000);
        assertTrue(!first.isAlive());
        assertTrue(store.appendedKeys.stream().allMatch(k -> k.size() == 1), "no append mixes keys: "
                + store.appendedKeys);
        assertTrue(pipeline.close(30_000));
        assertThrows(HubClosedException.class, () -> pipeline.publish(Set.of("c"), Event.of("late"), null));
    }

    /** Waits until each of {@code threads} is parked in the pipeline. */
    private static void awaitParked(List<Thread> threads) {
        await().atMost(WAIT).until(() -> threads.stream()
                .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING));
    }

    @Test
    void publish_handingOnItself_waitingPublishersOfDifferentKeysGetOneAppendPerKeyHandedOnInIdOrder()
            throws Exception {
        GatedStore gated = new GatedStore(InMemoryHistoryStore.create());
        KeyedStore store = new KeyedStore(gated);
        gated.gateFirstAppend();
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT,
                batch -> batch.forEach(p -> handedOn.add(p.event().id().orElseThrow())), HANDS_ON);
        Thread first = new Thread(() -> pipeline.publish(Set.of("a"), Event.of("first"), null));
        first.start();
        assertTrue(gated.appendStarted.await(30, TimeUnit.SECONDS));
        List<Thread> others = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            String topic = List.of("a", "b", "c").get(i % 3) + i;
            Thread t = new Thread(() -> pipeline.publish(Set.of(topic), Event.of(topic), null));
            others.add(t);
            t.start();
        }
        awaitParked(others);
        gated.gate.countDown();
        first.join(30_000);
        for (Thread t : others) {
            t.join(30_000);
        }
        assertEquals(List.of(Set.of((int) 'a'), Set.of((int) 'a'), Set.of((int) 'b'), Set.of((int) 'c')),
                sortedAfterFirst(store.appendedKeys), "one append per key, none mixing keys");
        assertEquals(List.of(1, 5, 5, 5), sortedAfterFirst(gated.batchSizes), "each key's waiting publishers share one");
        assertEquals(16, handedOn.size());
        List<String> sorted = new ArrayList<>(handedOn);
        sorted.sort((a, b) -> Long.compare(seq(a), seq(b)));
        assertEquals(sorted, handedOn, "handed on in id order");
    }

    /** @return {@code values}, the first left first and the rest sorted: the order of the appends after it varies */
    private static <T> List<T> sortedAfterFirst(List<T> values) {
        List<T> rest = new ArrayList<>(values.subList(1, values.size()));
        rest.sort(java.util.Comparator.comparing(String::valueOf));
        List<T> all = new ArrayList<>(List.of(values.get(0)));
        all.addAll(rest);
        return all;
    }

    @Test
    void publishAll_handingOnItself_eventsOfSeveralKeysKeepThePublishersOrder() throws Exception {
        GatedStore gated = new GatedStore(InMemoryHistoryStore.create());
        KeyedStore store = new KeyedStore(gated);
        gated.gateFirstAppend();
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT,
                batch -> batch.forEach(p -> handedOn.add(p.event().data())), HANDS_ON);
        Thread first = new Thread(() -> pipeline.publish(Set.of("a"), Event.of("first"), null));
        first.start();
        assertTrue(gated.appendStarted.await(30, TimeUnit.SECONDS));
        List<String> topics = List.of("a1", "b1", "a2", "c1", "b2", "a3");
        List<HistoryStore.Entry> entries = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (String t : topics) {
            entries.add(new HistoryStore.Entry(Set.of(t), Event.of(t)));
            values.add(null);
        }
        List<PublishPipeline.Outcome> outcomes = new CopyOnWriteArrayList<>();
        Thread all = new Thread(() -> outcomes.addAll(pipeline.publishAll(entries, values)));
        all.start();
        awaitParked(List.of(all));
        Thread other = new Thread(() -> pipeline.publish(Set.of("a9"), Event.of("a9"), null));
        other.start();
        awaitParked(List.of(other));
        gated.gate.countDown();
        for (Thread t : List.of(first, all, other)) {
            t.join(30_000);
        }
        assertTrue(store.appendedKeys.stream().allMatch(k -> k.size() == 1), "no append mixes keys: "
                + store.appendedKeys);
        assertEquals(topics.size(), outcomes.size());
        for (int i = 1; i < outcomes.size(); i++) {
            assertTrue(seq(outcomes.get(i - 1).stored().id().orElseThrow()) < seq(outcomes.get(i).stored().id().orElseThrow()),
                    "the publisher's events have ids in its order: " + outcomes);
        }
        List<String> mine = new ArrayList<>(handedOn);
        mine.retainAll(topics);
        assertEquals(topics, mine, "and are handed on in its order");
        assertEquals(8, handedOn.size());
    }

    @Test
    void publish_handingOnItself_anAppendWhoseOutcomeIsInDoubt_failsTheBatchsLaterAppendsNotStored() throws Exception {
        GatedStore gated = new GatedStore(new ForwardingStore(InMemoryHistoryStore.create()) {
            @Override
            public List<Event> append(List<Entry> batch) {
                if (batch.get(0).topics().contains("a")) {
                    throw new HistoryStoreException("the answer was lost", null); // it may have been stored
                }
                return super.append(batch);
            }
        });
        KeyedStore store = new KeyedStore(gated);
        gated.gateFirstAppend();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT, batch -> {
        }, HANDS_ON);
        Thread first = new Thread(() -> pipeline.publish(Set.of("c"), Event.of("first"), null));
        first.start();
        assertTrue(gated.appendStarted.await(30, TimeUnit.SECONDS));
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> waiting = new ArrayList<>();
        for (String topic : List.of("a", "b")) { // queued in this order: a's append is made first
            Thread t = new Thread(() -> {
                try {
                    pipeline.publish(Set.of(topic), Event.of(topic), null);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            });
            waiting.add(t);
            t.start();
            awaitParked(waiting);
        }
        gated.gate.countDown();
        for (Thread t : List.of(first, waiting.get(0), waiting.get(1))) {
            t.join(30_000);
            assertTrue(!t.isAlive(), "every publisher is settled");
        }
        assertEquals(2, failures.size(), failures.toString());
        HistoryStoreException lost = (HistoryStoreException) failures.stream()
                .filter(f -> f.getMessage().equals("the answer was lost")).findFirst().orElseThrow();
        assertTrue(lost.mayHaveStored());
        HistoryStoreException later = (HistoryStoreException) failures.stream().filter(f -> f != lost).findFirst()
                .orElseThrow();
        assertTrue(!later.mayHaveStored() && later.getMessage().contains("the event was not stored"), later.toString());
        assertEquals(List.of(1, 1), gated.batchSizes, "b's append was not made");
    }

    private static long seq(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    }

    @Test
    void publish_eachStoreCallIsReportedOnce_storedOrNot() {
        boolean[] failing = {false};
        HistoryStore store = new ForwardingStore(InMemoryHistoryStore.create()) {
            @Override
            public List<Event> append(List<Entry> batch) {
                if (failing[0]) {
                    throw new HistoryStoreException("the store is down", null);
                }
                return super.append(batch);
            }
        };
        List<String> calls = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT, batch -> {
        }, null, (operation, nanos) -> calls.add(operation + (nanos >= 0 ? "" : ": negative")), null);
        pipeline.publish(Set.of("t"), Event.of("a").withId("a"), null);
        assertThrows(DuplicateIdException.class, () -> pipeline.publish(Set.of("t"), Event.of("a").withId("a"), null));
        failing[0] = true;
        assertEquals("the store is down", assertThrows(HistoryStoreException.class,
                () -> pipeline.publish(Set.of("t"), Event.of("b"), null)).getMessage());
        assertEquals(List.of("append", "append", "append"), calls);
    }

    @Test
    void close_refusesNewPublishesAfterAcceptedOnesFinish() {
        PublishPipeline pipeline = new PublishPipeline("test", InMemoryHistoryStore.create(), WAIT, batch -> {
        });
        pipeline.publish(Set.of("t"), Event.of("before"), null);
        assertTrue(pipeline.close(1000));
        assertEquals("test is closed", assertThrows(HubClosedException.class,
                () -> pipeline.publish(Set.of("t"), Event.of("after"), null)).getMessage());
    }

    @Test
    void publish_whileTheStoreHangs_aWaitingPublisherFailsAtThePublishTimeoutAndNothingOfItIsStored() throws Exception {
        GatedStore store = new GatedStore(InMemoryHistoryStore.create()); // an append that hangs
        store.gateFirstAppend();
        PublishPipeline pipeline = new PublishPipeline("test", store, Duration.ofMillis(200), batch -> {
        });
        CompletableFuture<Event> first = CompletableFuture.supplyAsync(
                () -> pipeline.publish(Set.of("t"), Event.of("first"), null), ownThread());
        assertTrue(store.appendStarted.await(30, TimeUnit.SECONDS));
        CompletableFuture<Event> second = CompletableFuture.supplyAsync(
                () -> pipeline.publish(Set.of("t"), Event.of("second"), null), ownThread());
        await().atMost(WAIT).until(second::isDone);
        ExecutionException e = assertThrows(ExecutionException.class, second::get);
        assertEquals(HistoryStoreException.class, e.getCause().getClass());
        assertEquals("history store GatedStore did not take the event within the publish timeout (200 ms): it is "
                + "still busy with earlier events; the event was not stored", e.getCause().getMessage());
        store.gate.countDown();
        first.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("first"), store.read(Set.of("t"), "earliest", null).events().stream()
                .map(Event::data).toList(), "the withdrawn event was never stored");
        assertEquals(List.of(1), store.batchSizes);
    }

    @Test
    void publish_storeThrowsAnError_noPublisherIsLeftWaitingAndEachFailsWithTheCause() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("test: no memory for the batch");
        GatedStore gated = new GatedStore(InMemoryHistoryStore.create());
        HistoryStore store = new SecondAppendThrows(gated, oom);
        List<Throwable> failures = publishBehindAGatedBatch(gated, new PublishPipeline("test", store, WAIT,
                batch -> {
                }));
        assertFailedWith(failures, oom, HistoryStoreException.class,
                "history store SecondAppendThrows failed: java.lang.OutOfMemoryError: test: no memory for the batch");
    }

    @Test
    void publish_fanOutThrowsAnError_noPublisherIsLeftWaitingAndEachFailsWithTheCause() throws Exception {
        OutOfMemoryError oom = new OutOfMemoryError("test: no memory for the fan-out");
        GatedStore store = new GatedStore(InMemoryHistoryStore.create());
        List<Throwable> failures = publishBehindAGatedBatch(store, new PublishPipeline("test", store, WAIT,
                batch -> {
                    if (batch.size() > 1) {
                        throw oom;
                    }
                }));
        assertFailedWith(failures, oom, IllegalStateException.class, "the event was stored but handing it on to "
                + "subscribers failed: java.lang.OutOfMemoryError: test: no memory for the fan-out");
    }

    /**
     * One publisher's append waits at the gate while 15 more queue behind it; then the gate opens and
     * the 15 are stored as one batch.
     *
     * @return what each of the 15 threw, once every one has returned
     */
    private static List<Throwable> publishBehindAGatedBatch(GatedStore store, PublishPipeline pipeline)
            throws Exception {
        store.gateFirstAppend();
        Thread first = new Thread(() -> pipeline.publish(Set.of("t"), Event.of("first"), null));
        first.start();
        assertTrue(store.appendStarted.await(30, TimeUnit.SECONDS));
        List<Thread> others = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 15; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    pipeline.publish(Set.of("t"), Event.of("e" + n), null);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            others.add(t);
            t.start();
        }
        await().atMost(WAIT).until(() -> others.stream()
                .allMatch(t -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING));
        store.gate.countDown();
        first.join(30_000);
        // Every publisher returns: on a pipeline that caught only RuntimeException, 14 stayed parked.
        await().atMost(WAIT).until(() -> others.stream().noneMatch(Thread::isAlive));
        assertEquals(List.of(1, 15), store.batchSizes);
        return failures;
    }

    /** The thread that met the error threw it; each other publisher of its batch failed with it as the cause. */
    private static void assertFailedWith(List<Throwable> failures, Error error, Class<?> type, String message) {
        assertEquals(15, failures.size(), failures.toString());
        assertEquals(1, failures.stream().filter(f -> f == error).count(), failures.toString());
        for (Throwable f : failures) {
            if (f != error) {
                assertEquals(type, f.getClass());
                assertEquals(message, f.getMessage());
                assertSame(error, f.getCause());
            }
        }
    }

    /** Stores each batch, then throws {@code error} after the second. */
    private static final class SecondAppendThrows extends ForwardingStore {
        private final GatedStore gated;
        private final Error error;

        SecondAppendThrows(GatedStore gated, Error error) {
            super(gated);
            this.gated = gated;
            this.error = error;
        }

        @Override
        public List<Event> append(List<Entry> batch) {
            List<Event> stored = gated.append(batch); // the first waits at the gate
            if (gated.batchSizes.size() == 2) {
                throw error;
            }
            return stored;
        }
    }

    @Test
    void publish_afterAStoreCallWhoseAnswerWasLost_nothingIsStoredUntilTheStoreSaysWhatItKept() {
        java.util.concurrent.atomic.AtomicInteger appends = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean readFails = new java.util.concurrent.atomic.AtomicBoolean(true);
        HistoryStore store = new ForwardingStore(InMemoryHistoryStore.create()) {
            @Override
            public List<Event> append(List<Entry> batch) {
                List<Event> stored = delegate.append(batch);
                if (appends.incrementAndGet() == 1) {
                    throw new HistoryStoreException("test: kept, then the answer was lost", null);
                }
                return stored;
            }

            @Override
            public dev.ssekit.history.Replay readMatching(dev.ssekit.spi.TopicMatcher matcher, String afterId,
                                                          String untilId) {
                if (readFails.getAndSet(false)) {
                    throw new HistoryStoreException("test: the store does not answer yet", null);
                }
                return delegate.readMatching(matcher, afterId, untilId);
            }
        };
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT,
                batch -> batch.forEach(p -> handedOn.add(p.event().data())), new PublishPipeline.Recovery(null,
                        newest -> handedOn.add("lost up to " + newest), () -> {
                }));
        assertThrows(HistoryStoreException.class, () -> pipeline.publish(Set.of("t"), Event.of("kept"), null));
        // The store cannot say yet what it kept: a later event would overtake it, so it is not stored.
        HistoryStoreException refused = assertThrows(HistoryStoreException.class,
                () -> pipeline.publish(Set.of("t"), Event.of("refused"), null));
        assertEquals("history store  has not said whether an earlier event, whose store call failed, was stored "
                + "(test: the store does not answer yet); until it does, no later event is stored, so that none "
                + "overtakes it: the event was not stored", refused.getMessage());
        pipeline.publish(Set.of("t"), Event.of("next"), null);
        assertEquals(List.of("kept", "next"), handedOn, "the kept event once, in order; the refused one never");
        assertEquals(List.of("kept", "next"), store.read(Set.of("t"), "earliest", null).events().stream()
                .map(Event::data).toList());
        assertEquals(2, appends.get(), "two store calls: the refused event never reached the store");
    }

    @Test
    void publish_afterAStoreCallThatKeptNothing_storesTheNextWithoutReadingBack() {
        java.util.concurrent.atomic.AtomicInteger appends = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger readBacks = new java.util.concurrent.atomic.AtomicInteger();
        HistoryStore store = new ForwardingStore(InMemoryHistoryStore.create()) {
            @Override
            public List<Event> append(List<Entry> batch) {
                if (appends.incrementAndGet() == 1) {
                    throw HistoryStoreException.notStored("test: no connection", null);
                }
                return delegate.append(batch);
            }

            @Override
            public dev.ssekit.history.Replay readMatching(dev.ssekit.spi.TopicMatcher matcher, String afterId,
                                                          String untilId) {
                readBacks.incrementAndGet();
                return delegate.readMatching(matcher, afterId, untilId);
            }
        };
        List<String> handedOn = new CopyOnWriteArrayList<>();
        PublishPipeline pipeline = new PublishPipeline("test", store, WAIT,
                batch -> batch.forEach(p -> handedOn.add(p.event().data())), new PublishPipeline.Recovery(null,
                        newest -> handedOn.add("lost up to " + newest), () -> {
                }));
        HistoryStoreException first = assertThrows(HistoryStoreException.class,
                () -> pipeline.publish(Set.of("t"), Event.of("not kept"), null));
        assertEquals("test: no connection", first.getMessage(), "the store's own cause, not a doubt");
        pipeline.publish(Set.of("t"), Event.of("next"), null);
        assertEquals(List.of("next"), handedOn);
        assertEquals(0, readBacks.get(), "nothing to read back: the store said it kept nothing");
    }

    private static java.util.concurrent.Executor ownThread() {
        return r -> new Thread(r).start();
    }
}
