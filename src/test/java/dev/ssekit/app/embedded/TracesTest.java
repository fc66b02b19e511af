package dev.ssekit.app.embedded;

import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.RawSseClient;
import dev.ssekit.testsupport.RedisKeys;
import dev.ssekit.testsupport.Services;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded hub's traces, over real HTTP, read back from an in-memory exporter: a publish joined
 * to the publisher's {@code traceparent}, with its store call and fan-out as children; a reconnect's
 * replay with the count of events replayed; and nothing of the trace in the event stream.
 */
class TracesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_ID + "-01";
    private static final String TOPIC = "https://example.com/traces";

    /** @return the one finished span named {@code name} in the trace, once exported */
    private static SpanData span(EmbeddedHub hub, InMemorySpanExporter spans, String name) {
        return await().atMost(WAIT).until(() -> {
            hub.flushSpans();
            return spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals(name) && s.getTraceId().equals(TRACE_ID)).findFirst();
        }, Optional::isPresent).orElseThrow();
    }

    private static List<SpanData> childrenOf(InMemorySpanExporter spans, SpanData parent) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
                .toList();
    }

    @Test
    void publish_joinsTheTraceparentWithStoreAndFanOutChildren() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (EmbeddedHub hub = EmbeddedHub.start("127.0.0.1", 0, spans);
             RawSseClient subscriber = MercureClient.subscribeRaw(hub.uri(), "topic=" + MercureClient.encode(TOPIC),
                     Map.of())) {
            HttpResponse<String> r = MercureClient.post(hub.uri(), "topic=" + MercureClient.encode(TOPIC) + "&data=traced",
                    Map.of("traceparent", TRACEPARENT));
            assertEquals(200, r.statusCode(), r.body());
            String id = r.body();
            assertEquals("traced", subscriber.next(WAIT).data());

            SpanData server = span(hub, spans, "POST /.well-known/mercure");
            assertEquals(SpanKind.SERVER, server.getKind());
            assertEquals(PARENT_ID, server.getParentSpanId(), "joined to the publisher's traceparent");
            assertTrue(server.getParentSpanContext().isRemote());
            assertEquals(200L, server.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
            // The token checked by the hub's filters, then the form parsed, then the grant and the publish.
            assertEquals(List.of("request filtered", "resource method started"),
                    server.getEvents().stream().map(e -> e.getName()).toList());

            SpanData publish = span(hub, spans, "publish");
            assertEquals(server.getSpanId(), publish.getParentSpanId(), "the library's publish is the request's child");
            assertTrue(server.getEvents().get(1).getEpochNanos() <= publish.getStartEpochNanos(),
                    "the form is parsed before the publish starts");
            assertEquals(SpanKind.PRODUCER, publish.getKind());
            assertEquals(TOPIC, publish.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")));
            assertEquals(id, publish.getAttributes().get(AttributeKey.stringKey("messaging.message.id")));
            assertEquals("ssekit", publish.getAttributes().get(AttributeKey.stringKey("messaging.system")));

            List<SpanData> children = childrenOf(spans, publish);
            assertEquals(List.of("store", "fan-out"), children.stream().map(SpanData::getName).toList(), children.toString());
            SpanData store = children.get(0);
            SpanData fanOut = children.get(1);
            assertEquals(1L, store.getAttributes().get(AttributeKey.longKey("ssekit.batch.size")));
            assertTrue(store.getEndEpochNanos() <= fanOut.getStartEpochNanos(), "stored, then fanned out");
            assertTrue(publish.getStartEpochNanos() <= store.getStartEpochNanos()
                    && fanOut.getEndEpochNanos() <= publish.getEndEpochNanos(), "the children lie inside the publish");

            assertFalse(subscriber.rawText().contains(TRACE_ID), subscriber.rawText());
            assertFalse(subscriber.rawText().contains(publish.getSpanId()), "no trace data in the event stream");
        }
    }

    @Test
    void reconnect_recordsAReplaySpanWithTheEventsReplayed() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (EmbeddedHub hub = EmbeddedHub.start("127.0.0.1", 0, spans)) {
            String first = MercureClient.publish(hub.uri(), TOPIC, "one");
            MercureClient.publish(hub.uri(), TOPIC, "two");
            MercureClient.publish(hub.uri(), TOPIC, "three");
            try (RawSseClient back = MercureClient.subscribeRaw(hub.uri(), "topic=" + MercureClient.encode(TOPIC),
                    Map.of("Last-Event-ID", first, "traceparent", TRACEPARENT))) {
                assertEquals(List.of("two", "three"), back.next(2, WAIT).stream().map(RawSseClient.Received::data).toList());

                SpanData server = span(hub, spans, "GET /.well-known/mercure");
                assertEquals(PARENT_ID, server.getParentSpanId());
                SpanData replay = span(hub, spans, "replay");
                assertEquals(server.getSpanId(), replay.getParentSpanId());
                assertEquals(2L, replay.getAttributes().get(AttributeKey.longKey("ssekit.replay.events")));
                assertEquals(first, replay.getAttributes().get(AttributeKey.stringKey("ssekit.replay.after")));
                assertEquals(first, replay.getAttributes().get(AttributeKey.stringKey("ssekit.replay.started_after")));
                assertFalse(back.rawText().contains(TRACE_ID), "no trace data in the event stream");
            }
        }
    }

    /** On a shared store the node's follow fans events out, after the publish: the publish has its store call only. */
    @Test
    void publish_onRedis_hasTheStoreCallAndNoFanOut() throws Exception {
        Services.requireRedis();
        String prefix = "ssekit-traces-" + System.nanoTime() + ":";
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        EmbeddedHub started;
        synchronized (dev.ssekit.testsupport.Hubs.class) { // Hubs' lock: no other start reads these settings
            System.setProperty("ssekit.history.store", "redis");
            System.setProperty("ssekit.history.redis.key.prefix", prefix);
            try {
                started = EmbeddedHub.start("127.0.0.1", 0, spans);
            } finally {
                System.clearProperty("ssekit.history.store");
                System.clearProperty("ssekit.history.redis.key.prefix");
            }
        }
        try (EmbeddedHub hub = started;
             RawSseClient subscriber = MercureClient.subscribeRaw(hub.uri(), "topic=" + MercureClient.encode(TOPIC),
                     Map.of())) {
            HttpResponse<String> r = MercureClient.post(hub.uri(), "topic=" + MercureClient.encode(TOPIC) + "&data=shared",
                    Map.of("traceparent", TRACEPARENT));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("shared", subscriber.next(WAIT).data());
            SpanData publish = span(hub, spans, "publish");
            assertEquals(r.body(), publish.getAttributes().get(AttributeKey.stringKey("messaging.message.id")));
            assertEquals(List.of("store"), childrenOf(spans, publish).stream().map(SpanData::getName).toList());
        } finally {
            RedisKeys.deleteAll(prefix);
        }
    }
}
