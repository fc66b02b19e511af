package dev.ssekit;

import java.util.concurrent.CompletionStage;

/**
 * What a publish returns: the event's id at once, and a stage that tells when the event is stored.
 * Outside a transaction (or with {@link PublishMode#NOW}) the event is stored before the publish
 * returns and {@link #stored()} is already complete. After a commit it completes once the event is
 * stored, and fails with a {@link java.util.concurrent.CancellationException} if the transaction
 * rolls back, or with the store's refusal ({@link DuplicateIdException}, {@link HistoryStoreException}).
 */
public final class Published {
    private final String id;
    private final CompletionStage<String> stored;

    Published(String id, CompletionStage<String> stored) {
        this.id = id;
        this.stored = stored;
    }

    /** @return the id the event carries, or inside a transaction will carry once stored */
    public String id() {
        return id;
    }

    /** @return a stage that completes with {@link #id()} once the event is stored */
    public CompletionStage<String> stored() {
        return stored;
    }

    @Override
    public String toString() {
        return "Published{id=" + id + ", stored=" + stored.toCompletableFuture().isDone() + "}";
    }
}
