package dev.ssekit.app.embedded;

import dev.ssekit.internal.TextResponses;

import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * Gives Jersey's Grizzly container only request targets that are valid URIs, which it would
 * otherwise fail on with a 500 and an HTML stack trace (found by the fuzz run). A query is parsed
 * as {@code application/x-www-form-urlencoded} (the protocol's MUST), where a raw {@code {}},
 * {@code |}, {@code ^}, {@code "} or non-ASCII byte stands for itself: those are percent-encoded
 * here, so a subscriber that sends {@code ?topic=https://example.com/books/{id}} unencoded gets
 * what it means. What is left invalid (a broken {@code %} escape, such characters in the path) is
 * answered with a 400 saying so. Grizzly's own error pages become plain text without stack traces.
 */
final class CheckedTargets extends FrontHandler {

    private CheckedTargets(HttpHandler jersey) {
        super(jersey);
    }

    /** Puts itself in front of the server's one handler. */
    static void install(ServerConfiguration config) {
        FrontHandler.install(config, CheckedTargets::new);
        config.setDefaultErrorPageGenerator((request, status, reason, description, error) ->
                status + " " + reason + "\n");
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        String query = request.getQueryString();
        if (query != null) {
            String encoded = encodeLiterals(query);
            if (!encoded.equals(query)) {
                request.setQueryString(encoded);
                query = encoded;
            }
        }
        try {
            // The same parse Jersey's container makes of the target.
            new URI("http://localhost" + request.getRequestURI() + (query == null ? "" : "?" + query));
        } catch (URISyntaxException e) {
            byte[] body = ("request target: not a valid URI (" + e.getReason() + " at index " + e.getIndex()
                    + " of the target and host); percent-encode such characters\n").getBytes(StandardCharsets.UTF_8);
            response.setStatus(400);
            response.setContentType(TextResponses.CONTENT_TYPE);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            return;
        }
        next.service(request, response);
    }

    /**
     * @param query the query as Grizzly decoded it (UTF-8)
     * @return it with every character a URI query cannot hold raw percent-encoded as UTF-8; {@code %} kept
     */
    static String encodeLiterals(String query) {
        StringBuilder out = null;
        for (int i = 0; i < query.length(); ) {
            int cp = query.codePointAt(i);
            int next = i + Character.charCount(cp);
            boolean allowed = cp < 0x80 && (Character.isLetterOrDigit(cp) || "-._~!$&'()*+,;=:@/?%".indexOf(cp) >= 0);
            if (!allowed && out == null) {
                out = new StringBuilder(query.length() + 16).append(query, 0, i);
            }
            if (allowed) {
                if (out != null) {
                    out.append((char) cp);
                }
            } else {
                for (byte b : query.substring(i, next).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                }
            }
            i = next;
        }
        return out == null ? query : out.toString();
    }
}
