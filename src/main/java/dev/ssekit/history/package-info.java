/**
 * Event history for replay: the {@link dev.ssekit.history.HistoryStore} SPI and its stores.
 * <ul>
 *   <li>{@link dev.ssekit.history.InMemoryHistoryStore}: the default, one process's memory.</li>
 *   <li>{@link dev.ssekit.history.JdbcHistoryStore}: a database table; on the server's JTA
 *   {@code DataSource} it joins the caller's transaction through an outbox
 *   ({@link dev.ssekit.history.TransactionalHistoryStore}).</li>
 *   <li>{@link dev.ssekit.history.RedisHistoryStore}: a Redis stream, shared by several nodes
 *   ({@link dev.ssekit.history.SharedHistoryStore}: a node follows what the others append).</li>
 * </ul>
 * Give a store to {@link dev.ssekit.Hub.Builder#history}, or name it in the configuration
 * ({@code ssekit.history.store}). Ids are opaque strings, strictly ordered per store; an append stores
 * every event of its batch or none, in order. Every store's builder has the same retention settings
 * ({@code maxAge}, {@code maxEventsPerTopic}, {@code clock}).
 */
package dev.ssekit.history;

