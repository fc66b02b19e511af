package dev.ssekit.cdi;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.internal.cdi.HubProducer;
import dev.ssekit.internal.cdi.PublishInterceptor;
import dev.ssekit.internal.cdi.SseKitExtension;
import dev.ssekit.internal.cdi.SubscribeInterceptor;

import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code @Publish} in a real CDI container (Weld SE), and its checks at deployment. */
class AnnotationsTest {
    @Dependent
    public static class OrderService {
        @Inject Hub topics;

        @Publish(topic = "orders/{id}", type = "status")
        public Map<String, Object> status(@PathParam("id") String id, String status) {
            return Map.of("id", id, "status", status);
        }

        @Publish(topic = "notes")
        public Response note(String text) {
            return Response.ok(text).build();
        }

        @Publish(topic = "notes")
        public String nothing() {
            return null;
        }

        /** Answers {@code text} with the given status, as a resource method that reports its own outcome. */
        @Publish(topic = "replies")
        public Response reply(int status, String text) {
            return Response.status(status).entity(text).build();
        }

        /** Fails the way a resource method does, with the error's entity in the exception's response. */
        @Publish(topic = "replies")
        public String refuse(int status, String text) {
            throw new WebApplicationException(Response.status(status).entity(text).build());
        }
    }

    @Dependent
    public static class VoidBroadcast {
        @Publish(topic = "x")
        public void fire() {
        }
    }

    @Dependent
    public static class UnknownVariable {
        @Publish(topic = "orders/{id}")
        public String update(@PathParam("orderId") String orderId) {
            return orderId;
        }
    }

    @Dependent
    public static class BadStream {
        @Subscribe(topic = "orders/{id}")
        public String events(@PathParam("orderId") String id) {
            return id;
        }
    }

    private static WeldContainer start(Class<?>... beans) {
        Weld weld = new Weld("ssekit-annotations-test-" + System.nanoTime()).disableDiscovery()
                .addBeanClasses(HubProducer.class).addBeanClasses(beans)
                .addBeanClasses(PublishInterceptor.class, SubscribeInterceptor.class)
                .addExtension(new SseKitExtension());
        return weld.initialize();
    }

    private static List<Event> history(Hub topics, String topic) {
        return topics.history().read(Set.of(topic), "earliest", null).events();
    }

    @Test
    void publish_sendsTheResultOnTheTopicWithPathParameters() {
        try (WeldContainer weld = start(OrderService.class)) {
            OrderService service = weld.select(OrderService.class).get();
            Map<String, Object> returned = service.status("7", "shipped");
            assertEquals(Map.of("id", "7", "status", "shipped"), returned, "the result is unchanged");
            List<Event> sent = history(service.topics, "orders/7");
            assertEquals(1, sent.size());
            assertEquals("status", sent.get(0).type().orElseThrow());
            assertTrue(sent.get(0).data().contains("\"status\":\"shipped\""), sent.get(0).data());
        }
    }

    @Test
    void publish_responseEntityAsIsAndNullNotAtAll() {
        try (WeldContainer weld = start(OrderService.class)) {
            OrderService service = weld.select(OrderService.class).get();
            assertEquals(200, service.note("hello").getStatus());
            service.nothing();
            assertEquals(List.of("hello"), history(service.topics, "notes").stream().map(Event::data).toList());
        }
    }

    @Test
    void publish_onlySuccessfulResponses() {
        try (WeldContainer weld = start(OrderService.class)) {
            OrderService service = weld.select(OrderService.class).get();
            assertEquals(404, service.reply(404, "no such order").getStatus(), "the response is unchanged");
            assertEquals(500, service.reply(500, "database down").getStatus());
            assertEquals(303, service.reply(303, "see other").getStatus());
            WebApplicationException thrown = assertThrows(WebApplicationException.class,
                    () -> service.refuse(409, "already shipped"));
            assertEquals(409, thrown.getResponse().getStatus());
            assertEquals(List.of(), history(service.topics, "replies"), "no error's entity was broadcast");
            service.reply(201, "created");
            service.reply(200, "updated");
            assertEquals(List.of("created", "updated"),
                    history(service.topics, "replies").stream().map(Event::data).toList());
        }
    }

    @Test
    void deployment_failsForAVoidMethodNamingIt() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(VoidBroadcast.class).close());
        assertTrue(e.getMessage().contains("@Publish on dev.ssekit.cdi.AnnotationsTest$VoidBroadcast.fire returns "
                + "void, so there is nothing to broadcast: return the value to send"), e.getMessage());
    }

    @Test
    void deployment_failsForAnUnknownTopicVariableNamingTheFix() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(UnknownVariable.class).close());
        assertTrue(e.getMessage().contains("@Publish(topic = \"orders/{id}\") on "
                + "dev.ssekit.cdi.AnnotationsTest$UnknownVariable.update uses {id}, but no parameter is annotated "
                + "@PathParam(\"id\"): add one, or fix the topic"), e.getMessage());
    }

    @Test
    void deployment_failsForAWrongSubscribeMethodNamingEveryProblem() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> start(BadStream.class).close());
        String where = "dev.ssekit.cdi.AnnotationsTest$BadStream.events";
        assertTrue(e.getMessage().contains("@Subscribe on " + where + " must return void: the stream is the response"),
                e.getMessage());
        assertTrue(e.getMessage().contains("@Subscribe on " + where
                + " needs the parameter @Context SseEventSink"), e.getMessage());
    }
}
