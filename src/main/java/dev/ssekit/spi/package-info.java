/**
 * What an application may implement to change how a {@link dev.ssekit.Hub} works; none is needed
 * for the defaults.
 * <ul>
 *   <li>{@link dev.ssekit.spi.Codec}: turns a topic's values into event data and back; give one to
 *   {@code hub.topic(name, type, codec)}. The default is {@link dev.ssekit.spi.Codec#text()} for
 *   {@code String}, {@link dev.ssekit.spi.Codec#json(Class)} (JSON-B) otherwise.</li>
 *   <li>{@link dev.ssekit.spi.TopicMatcher}: chooses events by their topics (wildcards, templates,
 *   patterns), given last to {@code hub.subscribe(conn, topics, lastEventId, matcher)}.</li>
 *   <li>{@link dev.ssekit.spi.SubscriberListener}: told of every connection that subscribes
 *   ({@link dev.ssekit.spi.SubscriberConnected}) and ends ({@link dev.ssekit.spi.SubscriberDisconnected});
 *   give it to {@link dev.ssekit.Hub.Builder#listener}. The application's injected hub fires both as
 *   CDI events instead: observe them with {@code @Observes}.</li>
 *   <li>{@link dev.ssekit.spi.MetricsBinding}: where a hub reports its counts, for a metrics system
 *   other than MicroProfile Metrics or OpenTelemetry, which ssekit binds itself; give it to
 *   {@link dev.ssekit.Hub.Builder#metrics}.</li>
 * </ul>
 * Each interface's Javadoc states its threading contract: they are called on ssekit's threads,
 * concurrently, and must be quick and must not block. Methods added later have defaults.
 */
package dev.ssekit.spi;
