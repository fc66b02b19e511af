package dev.ssekit.history;

import dev.ssekit.Event;
import dev.ssekit.spi.TopicMatcher;
import dev.ssekit.testsupport.Services;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The JDBC store's page read by matcher goes through the event-topic join in windows of rows bounded
 * in SQL: events whose rows a window cuts, and one event with more topics than a window holds, are
 * each read whole and once.
 */
class JdbcMatchingPagesTest {
    private final String prefix = Services.tablePrefix("mpages_");

    private void assertPagesJoinToTheWholeRange(DataSource ds) throws Exception {
        try (JdbcHistoryStore store = JdbcHistoryStore.builder(ds).tablePrefix(prefix).pruneInterval(null).build()) {
            List<HistoryStore.Entry> entries = new ArrayList<>();
            for (int i = 0; i < 900; i++) {
                // 3 topics each: windows of 1,000 rows end inside an event.
                entries.add(new HistoryStore.Entry(Set.of("a", "b" + i, "c" + i), Event.of("e" + i)));
            }
            Set<String> many = new LinkedHashSet<>();
            for (int t = 0; t < 2500; t++) {
                many.add("m" + t); // more rows than a window
            }
            entries.add(450, new HistoryStore.Entry(many, Event.of("wide")));
            store.append(entries);
            List<Integer> sizes = new ArrayList<>();
            TopicMatcher all = topics -> {
                sizes.add(topics.size());
                return true;
            };
            Replay whole = store.readMatching(all, HistoryStore.EARLIEST, null);
            List<Integer> wholeSizes = List.copyOf(sizes);
            sizes.clear();
            List<String> paged = new ArrayList<>();
            String after = HistoryStore.EARLIEST;
            for (Replay page; !(page = store.readMatchingPage(all, after, null, 100)).events().isEmpty(); ) {
                page.events().forEach(e -> paged.add(e.data()));
                after = page.events().get(page.events().size() - 1).id().orElseThrow();
            }
            assertEquals(whole.events().stream().map(Event::data).toList(), paged);
            assertEquals(901, paged.size());
            assertEquals("wide", paged.get(450));
            assertEquals(wholeSizes, sizes, "each event offered to the matcher once, with all its topics");
            assertEquals(2500, (int) sizes.get(450));
        } finally {
            Services.dropStoreTables(ds, prefix);
        }
    }

    @Test
    void readMatchingPage_h2_windowsCutInsideEventsAndAWideEvent() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        assertPagesJoinToTheWholeRange(h2);
    }

    @Test
    void readMatchingPage_postgres_windowsCutInsideEventsAndAWideEvent() throws Exception {
        Services.requirePostgres();
        PGSimpleDataSource pg = Services.postgres();
        assertPagesJoinToTheWholeRange(pg);
    }
}
