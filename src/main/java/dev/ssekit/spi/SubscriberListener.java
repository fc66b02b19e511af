package dev.ssekit.spi;

/**
 * Told when connections subscribe and end. Methods have empty defaults, so that new ones never break
 * an implementation. They run on ssekit's threads or the subscribing request's: keep them short, and
 * an exception they throw is logged and otherwise ignored.
 */
public interface SubscriberListener {
    /** @param event a connection subscribed for the first time */
    default void connected(SubscriberConnected event) {
    }

    /** @param event a subscribed connection ended; called once per connection */
    default void disconnected(SubscriberDisconnected event) {
    }
}
