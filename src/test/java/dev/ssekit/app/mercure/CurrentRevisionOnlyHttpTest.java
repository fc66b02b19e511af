package dev.ssekit.app.mercure;

import dev.ssekit.app.embedded.EmbeddedHub;
import dev.ssekit.testsupport.Hubs;
import dev.ssekit.testsupport.MercureClient;
import dev.ssekit.testsupport.Tokens;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ssekit.testsupport.Tokens.accessClaims;
import static dev.ssekit.testsupport.Tokens.detail;
import static dev.ssekit.testsupport.Tokens.matcher;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A hub with only the current revision on ({@code ssekit.hub.mercure.legacy=false}). */
class CurrentRevisionOnlyHttpTest {
    private static EmbeddedHub strict;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = new HashMap<>(Tokens.hubWithIssuer());
        settings.put("ssekit.hub.mercure.legacy", "false");
        strict = Hubs.start(settings);
    }

    @AfterAll
    static void stop() {
        strict.close();
    }

    @Test
    void oldRevisionOff_refusesTokensThatAreNotAccessTokens() throws Exception {
        HttpResponse<String> legacy = MercureClient.post(strict.uri(), "topic=t&data=x",
                Tokens.bearer(Tokens.publisher("*")));
        assertEquals(401, legacy.statusCode(), legacy.body());
        HttpResponse<String> topicParam = MercureClient.get(strict.uri().resolve(MercureClient.PATH + "?topic=t"),
                "text/event-stream");
        assertEquals(400, topicParam.statusCode(), "topic is not a matcher of the current revision");
        String publisher = Tokens.accessToken(accessClaims(List.of(detail("publish", List.of(matcher("*", null)))))
                .build(), "at+jwt");
        assertEquals(200, MercureClient.post(strict.uri(), "topic=t&data=x", Tokens.bearer(publisher)).statusCode());
    }
}
