package dev.ssekit.arquillian;

import dev.ssekit.arquillian.txapp.OrderService;
import dev.ssekit.arquillian.txapp.TxApplication;
import dev.ssekit.arquillian.txapp.TxOrdersResource;
import dev.ssekit.testkit.SseRecorder;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Publishing in the server's own JTA transactions, with the history in the server's own
 * {@code java:comp/DefaultDataSource} (H2 on Payara; ExampleDS, H2 in memory, on WildFly): the
 * JDBC store's outbox. {@code @Transactional} methods save an order in the same DataSource and
 * broadcast it: a commit delivers the event exactly once, live and by replay; a rollback, or an
 * exception after the broadcast, delivers and stores nothing; two transactions committing in the
 * opposite order of their broadcasts are delivered in commit order, and replay has no gap.
 */
@ExtendWith(ArquillianExtension.class)
class TransactionalPublishIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @ArquillianResource
    private URL deployed;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(WebArchive.class, "tx-orders.war")
                .addClasses(TxApplication.class, TxOrdersResource.class, OrderService.class)
                .addAsLibrary(new File(System.getProperty("ssekit.jar")))
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .addAsResource(new StringAsset("ssekit.history.store=jdbc\n"
                        + "ssekit.history.jdbc.datasource=java:comp/DefaultDataSource\n"
                        + "ssekit.history.jdbc.table.prefix=tx_it_\n"), "META-INF/microprofile-config.properties");
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + deployed.getPort() + deployed.getPath() + "api/orders" + path);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(api(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String placed(String path) throws Exception {
        HttpResponse<String> r = post(path);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private int saved(String prefix) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api("/count/" + prefix)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return Integer.parseInt(r.body());
    }

    /** The id of an event stored before the test's stream: replay after it holds only the test's events. */
    private String marker;

    /** A stream that starts after everything already in history. */
    private SseRecorder subscribeNow() throws Exception {
        marker = placed("/" + run + "-start/stored");
        SseRecorder events = SseRecorder.to(api("")).header("Last-Event-ID", marker).open();
        assertEquals(200, events.status());
        return events;
    }

    private SseRecorder replayAfterMarker() {
        return SseRecorder.to(api("")).header("Last-Event-ID", marker).open();
    }

    @Test
    void commit_deliversOnceLiveAndByReplay() throws Exception {
        String id;
        try (SseRecorder events = subscribeNow()) {
            id = placed("/" + run + "-1");
            events.assertEvent(id, null, run + "-1");
            events.assertExhausted();
        }
        assertEquals(1, saved(run + "-1"));
        try (SseRecorder replay = replayAfterMarker()) {
            assertEquals(marker, replay.header("Mercure-Last-Event-ID"));
            replay.assertEvent(id, null, run + "-1");
            replay.assertExhausted();
        }
    }

    @Test
    void exceptionAfterPublish_rollsBackAndDeliversNothing() throws Exception {
        try (SseRecorder events = subscribeNow()) {
            HttpResponse<String> failed = post("/" + run + "-failed/fail");
            assertEquals(409, failed.statusCode(), failed.body());
            String next = placed("/" + run + "-next");
            // The next event is the first one: nothing of the rolled-back transaction came before it.
            events.assertEvent(next, null, run + "-next");
            events.assertExhausted();
            try (SseRecorder replay = replayAfterMarker()) {
                replay.assertEvent(next, null, run + "-next");
                replay.assertExhausted();
            }
        }
        assertEquals(0, saved(run + "-failed"));
        assertEquals(1, saved(run + "-next"));
    }

    @Test
    void transactionsCommittingInOppositeOrder_areDeliveredInCommitOrder_withNoGapOnReplay() throws Exception {
        try (SseRecorder events = subscribeNow()) {
            String a = run + "-a";
            String b = run + "-b";
            // a broadcasts first and commits once b committed; b waits for a's broadcast.
            CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(HttpRequest.newBuilder(
                    api("/" + a + "/hold/" + b)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            String bId = placed("/" + b + "/after/" + a);
            HttpResponse<String> aDone = first.get(60, TimeUnit.SECONDS);
            assertEquals(200, aDone.statusCode(), aDone.body());
            String aId = aDone.body();
            events.assertEvent(bId, null, b);
            events.assertEvent(aId, null, a);
            events.assertExhausted();
            try (SseRecorder replay = replayAfterMarker()) {
                replay.assertEvent(bId, null, b);
                replay.assertEvent(aId, null, a);
                replay.assertExhausted();
            }
        }
        assertEquals(1, saved(run + "-a"));
        assertEquals(1, saved(run + "-b"));
    }
}
