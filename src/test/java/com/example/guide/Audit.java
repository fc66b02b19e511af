package com.example.guide;

import dev.ssekit.spi.SubscriberConnected;
import dev.ssekit.spi.SubscriberDisconnected;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

@ApplicationScoped   // not request-scoped: disconnects are seen on ssekit's threads, outside requests
public class Audit {
    void joined(@Observes SubscriberConnected e) { /* e.topics(), e.remoteAddress() */ }
    void gone(@Observes SubscriberDisconnected e) { /* e.topics(), e.remoteAddress(), e.reason() */ }
}
