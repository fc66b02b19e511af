package dev.ssekit.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Plain-text HTTP/1.1 calls to a test server on loopback, each expected to answer 200. */
public final class PlainHttp {
    // HTTP/1.1: the JDK client's h2c upgrade attempt with a body makes Grizzly time out.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private PlainHttp() {
    }

    /** @return the response to a request, whatever its status */
    public static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a form; returns the body of its 200. */
    public static String postForm(URI uri, String form) throws Exception {
        return ok(send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build()));
    }

    /** GETs a resource; returns the body of its 200. */
    public static String get(URI uri) throws Exception {
        return ok(send(HttpRequest.newBuilder(uri).GET().build()));
    }

    private static String ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.request().uri() + ": " + r.body());
        return r.body();
    }
}
