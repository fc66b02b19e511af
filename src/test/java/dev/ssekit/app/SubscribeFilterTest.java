package dev.ssekit.app;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which subscribe requests the WAR serves below JAX-RS: those that ask for an event stream by name. */
class SubscribeFilterTest {
    @Test
    void asksForEvents_eventStreamNamed() {
        assertTrue(SubscribeFilter.asksForEvents("text/event-stream"));
        assertTrue(SubscribeFilter.asksForEvents("Text/Event-Stream"));
        assertTrue(SubscribeFilter.asksForEvents("text/html, text/event-stream;q=0.5"));
        assertTrue(SubscribeFilter.asksForEvents(" text/event-stream ; charset=utf-8"));
    }

    @Test
    void asksForEvents_notNamedOrRefused_leavesItToJaxRs() {
        assertFalse(SubscribeFilter.asksForEvents(null));
        assertFalse(SubscribeFilter.asksForEvents("*/*"));
        assertFalse(SubscribeFilter.asksForEvents("text/*"));
        assertFalse(SubscribeFilter.asksForEvents("text/plain"));
        assertFalse(SubscribeFilter.asksForEvents("text/event-stream;q=0"));
        assertFalse(SubscribeFilter.asksForEvents("text/event-stream;q=0.0"));
        assertFalse(SubscribeFilter.asksForEvents("text/event-stream;q=x"));
        assertFalse(SubscribeFilter.asksForEvents("text/event-streams"));
    }
}
