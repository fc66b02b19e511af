package dev.ssekit;

/**
 * Counts of one topic since its hub started: what its MicroProfile Metrics report, readable
 * without them. A hub counts its first 1,000 topics one by one and pools the rest, so a topic
 * beyond those shows its subscribers and zero counts.
 *
 * @param subscribers connections subscribed now
 * @param published   events published to the topic
 * @param delivered   events written to the topic's subscribers, one per subscriber
 * @param dropped     events subscribers lost to the slow-consumer policy: evicted by
 *                    {@link OverflowPolicy#DROP_OLDEST}, or still queued when a slow subscriber was cut
 * @param cut         subscribers ended by the slow-consumer policy: a full queue under
 *                    {@link OverflowPolicy#DISCONNECT}, or a write that took longer than the write timeout
 * @param replayed    events replayed to reconnecting subscribers (a subscription to several topics
 *                    counts its replay under the first topic it names)
 */
public record TopicStats(int subscribers, long published, long delivered, long dropped, long cut, long replayed) {
}
