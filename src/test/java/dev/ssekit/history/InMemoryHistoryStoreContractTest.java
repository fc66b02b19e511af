package dev.ssekit.history;

import java.time.Duration;

class InMemoryHistoryStoreContractTest extends HistoryStoreContract {
    @Override
    protected HistoryStore create(int maxEventsPerTopic, Duration maxAge) {
        return InMemoryHistoryStore.builder().maxEventsPerTopic(maxEventsPerTopic).maxAge(maxAge).clock(clock).build();
    }

    @Override
    protected boolean keepsTopicState(HistoryStore store, String topic) {
        return ((InMemoryHistoryStore) store).holdsTopic(topic);
    }
}
