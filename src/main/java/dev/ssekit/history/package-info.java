/**
 * Event history for replay: the {@link dev.ssekit.history.HistoryStore} SPI and its default,
 * {@link dev.ssekit.history.InMemoryHistoryStore}.
 */
package dev.ssekit.history;

