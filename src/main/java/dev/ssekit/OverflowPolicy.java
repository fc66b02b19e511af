package dev.ssekit;

/** What a connection does when its bounded outbound queue is full and another event arrives. */
public enum OverflowPolicy {
    /**
     * Close the connection (the default). The client reconnects with its {@code Last-Event-ID} and
     * catches up by replay, so nothing is lost as long as history retains the events.
     */
    DISCONNECT,
    /** Drop the oldest queued event to make room, and count it as dropped; the connection stays. */
    DROP_OLDEST
}
