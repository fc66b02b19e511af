package dev.ssekit;

import dev.ssekit.history.HistoryStore;
import dev.ssekit.history.InMemoryHistoryStore;
import dev.ssekit.history.JdbcHistoryStore;
import dev.ssekit.history.RedisHistoryStore;
import dev.ssekit.history.SharedHistoryStore;
import dev.ssekit.testsupport.FakeSse;
import dev.ssekit.testsupport.ForwardingStore;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A store that keeps an event and then fails the call (its commit's answer lost, or a timeout after
 * the commit), over every real store: the publisher sees the failure, yet a live subscriber gets
 * the event once, in order, as soon as the registry stores anything again (here the publisher's
 * retry, which is refused as a duplicate: the event is never stored twice).
 */
class AmbiguousCommitTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String unique = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void publish_memoryStoreCommitsThenThrows_subscriberGetsItOnceInOrder_retryIsADuplicate() {
        assertAmbiguousCommitSettled(new CommitsThenThrows(InMemoryHistoryStore.create()));
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

    private void assertAmbiguousCommitSettled(CommitsThenThrows store) {
        try (store; Hub topics = Hub.builder().history(store).build()) {
            FakeSse.Sink sink = new FakeSse.Sink();
            topics.subscribe(topics.open(sink), List.of("orders"), null);
            String first = "order-1-" + unique;
            String second = "order-2-" + unique;

            store.failAfterNextAppend.set(true);
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

    /** Keeps the batch of the append after {@link #failAfterNextAppend} is set, then throws. */
    private static class CommitsThenThrows extends ForwardingStore {
        final AtomicBoolean failAfterNextAppend = new AtomicBoolean();

        CommitsThenThrows(HistoryStore delegate) {
            super(delegate);
        }

        @Override
        public List<Event> append(List<Entry> batch) {
            List<Event> stored = delegate.append(batch);
            if (failAfterNextAppend.compareAndSet(true, false)) {
                throw new HistoryStoreException("test: the store kept the batch, then its answer was lost", null);
            }
            return stored;
        }
    }

    /** The same over a shared store, which the registry follows. */
    private static final class SharedCommitsThenThrows extends CommitsThenThrows implements SharedHistoryStore {
        private final SharedHistoryStore shared;

        SharedCommitsThenThrows(SharedHistoryStore delegate) {
            super(delegate);
            this.shared = delegate;
        }

        @Override
        public Follower follow(AppendListener listener) {
            return shared.follow(listener);
        }

        @Override
        public Optional<String> latestPosition() {
            return shared.latestPosition();
        }

        @Override
        public int comparePositions(String a, String b) {
            return shared.comparePositions(a, b);
        }
    }
}
