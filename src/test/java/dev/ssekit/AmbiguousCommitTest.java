package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.history.SharedHistoryStore;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.ForwardingSharedStore;
import dev.ssekit.testsupport.ForwardingStore;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A store that keeps an event and then fails the call (its commit's answer lost, or a timeout after
 * the commit), over every real store: the publisher sees the failure, yet a live subscriber gets
 * the event once, in order, without waiting for anything else to be stored; a retry with the same
 * id is refused as a duplicate: the event is never stored twice.
 */
class AmbiguousCommitTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String unique = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void publish_memoryStoreCommitsThenThrows_subscriberGetsItOnceInOrder_retryIsADuplicate() {
        assertAmbiguousCommitSettled(new LocalCommitsThenThrows(InMemoryHistoryStore.create()));
    }

    @Test
    void publish_h2CommitsThenThrows_subscriberGetsItOnceInOrder_retryIsADuplicate() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:ambiguous_" + unique + ";DB_CLOSE_DELAY=-1");
        assertAmbiguousCommitSettled(new SharedCommitsThenThrows(JdbcHistoryStore.builder(h2).pruneInterval(null)
                .build()));
    }

    @Test
    void publish_postgresCommitsThenThrows_subscriberGetsItOnceInOrder_retryIsADuplicate() throws Exception {
        Services.requirePostgres();
        PGSimpleDataSource pg = Services.postgres();
        String prefix = "amb_" + unique + "_";
        try {
            assertAmbiguousCommitSettled(new SharedCommitsThenThrows(JdbcHistoryStore.builder(pg).tablePrefix(prefix)
                    .pruneInterval(null).build()));
        } finally {
            Services.dropStoreTables(prefix);
        }
    }

    @Test
    void publish_redisCommitsThenThrows_subscriberGetsItOnceInOrder_retryIsADuplicate() {
        Services.requireRedis();
        String prefix = "amb_" + unique + ":";
        try {
            assertAmbiguousCommitSettled(new SharedCommitsThenThrows(
                    RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).build()));
        } finally {
            RedisKeys.deleteAll(prefix);
        }
    }

    @Test
    void publish_memoryStoreCommitsThenThrows_subscriberGetsItWithoutAnotherPublish() {
        assertKeptEventDeliveredAlone(new LocalCommitsThenThrows(InMemoryHistoryStore.create()));
    }

    @Test
    void publish_h2CommitsThenThrows_subscriberGetsItWithoutAnotherPublish() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:ambiguous_alone_" + unique + ";DB_CLOSE_DELAY=-1");
        assertKeptEventDeliveredAlone(new SharedCommitsThenThrows(JdbcHistoryStore.builder(h2).pruneInterval(null)
                .build()));
    }

    @Test
    void publish_postgresCommitsThenThrows_subscriberGetsItWithoutAnotherPublish() throws Exception {
        Services.requirePostgres();
        PGSimpleDataSource pg = Services.postgres();
        String prefix = "amba_" + unique + "_";
        try {
            assertKeptEventDeliveredAlone(new SharedCommitsThenThrows(JdbcHistoryStore.builder(pg).tablePrefix(prefix)
                    .pruneInterval(null).build()));
        } finally {
            Services.dropStoreTables(prefix);
        }
    }

    @Test
    void publish_redisCommitsThenThrows_subscriberGetsItWithoutAnotherPublish() {
        Services.requireRedis();
        String prefix = "amba_" + unique + ":";
        try {
            assertKeptEventDeliveredAlone(new SharedCommitsThenThrows(
                    RedisHistoryStore.builder(RedisKeys.URI).keyPrefix(prefix).build()));
        } finally {
            RedisKeys.deleteAll(prefix);
        }
    }

    /**
     * The kept event reaches the subscriber with nothing stored after it: on 3fc2971 the memory
     * store's registry handed it on only at its next store call, so a quiet topic never got it.
     */
    private void assertKeptEventDeliveredAlone(CommitsThenThrows store) {
        try (store; Hub topics = Hub.builder().history(store).build()) {
            FakeSse.Sink sink = new FakeSse.Sink();
            topics.subscribe(topics.open(sink), List.of("orders"), null);
            String kept = "order-1-" + unique;

            store.fault().failAfterNextAppend.set(true);
            assertThrows(HistoryStoreException.class,
                    () -> topics.publish(List.of("orders"), Event.of("1").withId(kept)));

            await().atMost(WAIT).until(() -> sink.ids().contains(kept));
            assertEquals(List.of(kept), sink.ids(), "live: the kept event once");
            assertEquals(1, store.fault().appends.get(), "no store call but the publisher's own");
        }
    }

    private void assertAmbiguousCommitSettled(CommitsThenThrows store) {
        try (store; Hub topics = Hub.builder().history(store).build()) {
            FakeSse.Sink sink = new FakeSse.Sink();
            topics.subscribe(topics.open(sink), List.of("orders"), null);
            String first = "order-1-" + unique;
            String second = "order-2-" + unique;

            store.fault().failAfterNextAppend.set(true);
            HistoryStoreException lost = assertThrows(HistoryStoreException.class,
                    () -> topics.publish(List.of("orders"), Event.of("1").withId(first)));
            assertEquals("test: the store kept the batch, then its answer was lost", lost.getMessage());
            // The publisher retries with its own id: refused, since the store has it.
            DuplicateIdException retry = assertThrows(DuplicateIdException.class,
                    () -> topics.publish(List.of("orders"), Event.of("1").withId(first)));
            assertEquals(first, retry.id());
            topics.publish(List.of("orders"), Event.of("2").withId(second));

            await().atMost(WAIT).until(() -> sink.ids().contains(second));
            assertEquals(List.of(first, second), sink.ids(), "live: the kept event once, before the next");
            assertEquals(List.of(first, second), store.read(java.util.Set.of("orders"), HistoryStore.EARLIEST, null)
                    .events().stream().map(e -> e.id().orElseThrow()).toList(), "history: each once");
        }
    }

    /** A store whose append after {@link AppendFault#failAfterNextAppend} is set keeps its batch, then throws. */
    private interface CommitsThenThrows extends HistoryStore {
        AppendFault fault();
    }

    /** The fault, and the store calls counted. */
    private static final class AppendFault {
        final AtomicBoolean failAfterNextAppend = new AtomicBoolean();
        final java.util.concurrent.atomic.AtomicInteger appends = new java.util.concurrent.atomic.AtomicInteger();

        List<Event> append(HistoryStore store, List<HistoryStore.Entry> batch) {
            appends.incrementAndGet();
            List<Event> stored = store.append(batch);
            if (failAfterNextAppend.compareAndSet(true, false)) {
                throw new HistoryStoreException("test: the store kept the batch, then its answer was lost", null);
            }
            return stored;
        }
    }

    /** Over a store of one node. */
    private static final class LocalCommitsThenThrows extends ForwardingStore implements CommitsThenThrows {
        private final AppendFault fault = new AppendFault();

        LocalCommitsThenThrows(HistoryStore delegate) {
            super(delegate);
        }

        @Override
        public AppendFault fault() {
            return fault;
        }

        @Override
        public List<Event> append(List<Entry> batch) {
            return fault.append(delegate, batch);
        }
    }

    /** Over a shared store, which the registry follows. */
    private static final class SharedCommitsThenThrows extends ForwardingSharedStore implements CommitsThenThrows {
        private final AppendFault fault = new AppendFault();

        SharedCommitsThenThrows(SharedHistoryStore delegate) {
            super(delegate);
        }

        @Override
        public AppendFault fault() {
            return fault;
        }

        @Override
        public List<Event> append(List<Entry> batch) {
            return fault.append(delegate, batch);
        }
    }
}
