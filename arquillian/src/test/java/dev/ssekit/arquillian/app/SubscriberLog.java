package dev.ssekit.arquillian.app;

import dev.ssekit.spi.SubscriberConnected;
import dev.ssekit.spi.SubscriberDisconnected;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records ssekit's subscriber CDI events, as an application observing them would. */
@ApplicationScoped
public class SubscriberLog {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    void connected(@Observes SubscriberConnected event) {
        lines.add("connected " + event.topics() + " from " + event.remoteAddress().orElse("?"));
    }

    void disconnected(@Observes SubscriberDisconnected event) {
        lines.add("disconnected " + event.topics() + " from " + event.remoteAddress().orElse("?") + " "
                + event.reason());
    }

    /** @return every event so far, one per line */
    public String text() {
        return String.join("\n", lines);
    }
}
