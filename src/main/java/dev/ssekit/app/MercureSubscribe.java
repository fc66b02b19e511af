package dev.ssekit.app;

import dev.ssekit.Conn;
import dev.ssekit.HubClosedException;
import dev.ssekit.SseKitException;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.app.mercure.ActiveSubscriptions;
import dev.ssekit.app.mercure.ClientQuota;
import dev.ssekit.app.mercure.PrivateTopics;
import dev.ssekit.app.mercure.Routing;
import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.MercureClaims;
import dev.ssekit.app.security.SecuritySettings;
import dev.ssekit.history.HistoryStore;
import dev.ssekit.internal.HubAccess;
import dev.ssekit.internal.ScreenedMatcher.Screen;
import dev.ssekit.internal.ScreenedMatcher;
import dev.ssekit.internal.TextResponses;
import dev.ssekit.spi.TopicMatcher;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.SseEventSink;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Mercure subscribe request, whoever received it: the JAX-RS resource ({@link MercureResource},
 * the embedded hub, {@code QUERY} and any {@code GET} the filter leaves to it) and, in the WAR, the
 * servlet filter that serves event-stream {@code GET}s below JAX-RS ({@link SubscribeFilter}). One
 * code path: authorization, topic selectors, the cursor, the limits and every refusal are here.
 */
@ApplicationScoped
public class MercureSubscribe {
    @Inject
    HubRegistry hubRegistry;

    @Inject
    HubSecurity security;

    @Inject
    ActiveSubscriptions subscriptions;

    @Inject
    ClientQuota quota;

    /**
     * Opens the stream of a subscribe request on {@code sink} and subscribes it: current revision
     * {@code match}, {@code match_exact}, {@code match_urlpattern} and {@code last_event_id}; old
     * revision {@code topic} (exact, URI template or {@code *}) and {@code lastEventID}.
     *
     * @param params          the request's parameters, decoded, in request order
     * @param lastEventHeader the {@code Last-Event-ID} header a reconnecting EventSource sends, or null
     * @param authorization   the {@code Authorization} header, or null
     * @param cookie          the authorization cookie ({@link HubSecurity#cookie}), or null
     * @param baseUri         the application's base URI, which the hub's URL is resolved against
     * @param sink            the stream's sink
     * @throws WebApplicationException with the plain-text answer ({@link PlainText}) when the
     *                                 request is refused: 400, 401, 403, 429, 503
     */
    public void stream(Map<String, List<String>> params, String lastEventHeader, String authorization, String cookie,
                       URI baseUri, SseEventSink sink) {
        SecuritySettings.Protocol protocol = security.settings().protocol();
        URI hub = protocol.hubUrl(baseUri);
        Routing routing;
        try {
            routing = Routing.of(params, protocol.current(), protocol.legacy(), hub);
        } catch (IllegalArgumentException e) {
            throw PlainText.error(Response.Status.BAD_REQUEST, e.getMessage());
        }
        // An anonymous subscriber gets public updates; a token that does not verify is refused (401).
        MercureClaims claims = security.subscriber(
                new HubSecurity.Credentials(authorization, cookie, null, null, baseUri));
        Set<String> all = new LinkedHashSet<>(routing.exact());
        boolean someExactUnauthorized = false;
        for (String topic : routing.exact()) {
            if (claims.maySubscribe(topic)) {
                all.add(PrivateTopics.of(topic));
            } else {
                someExactUnauthorized = true;
            }
        }
        // Exact topics stay map lookups. A matcher is needed for patterns, and for the private updates
        // an exact topic routes but only another topic of the update authorizes (the audience of a
        // private update is the union over its topics).
        TopicMatcher matcher = routing.hasPatterns() || (someExactUnauthorized && claims.maySubscribeToAny())
                ? new HubMatcher(routing, claims, routing.screen(hub)) : null;
        // A reconnecting browser sends the header with the newest id it saw, while the query string
        // stays as first opened: the header wins, then the current revision's parameter.
        String lastEventId = lastEventHeader;
        if (isEmpty(lastEventId) && protocol.current()) {
            lastEventId = first(params.get("last_event_id"));
        }
        if (isEmpty(lastEventId) && protocol.legacy()) {
            lastEventId = first(params.get("lastEventID"));
        }
        boolean cursorSent = lastEventHeader != null || protocol.current() && params.containsKey("last_event_id")
                || protocol.legacy() && params.containsKey("lastEventID");
        if (isEmpty(lastEventId)) {
            // An empty cursor names no event: no replay. It still asks where the stream starts
            // (Mercure-Last-Event-ID): after the newest event now, or earliest in an empty history.
            lastEventId = cursorSent ? newestId() : null;
        } else {
            lastEventId = MercureResource.checkId(lastEventId, "Last-Event-ID");
        }
        Conn conn;
        Runnable quotaPlace = null;
        try {
            hubRegistry.checkTopicCount(routing.exact());
            HubAccess.checkRoom(hubRegistry.hub(), all);
            quotaPlace = quota.acquire(claims.subject());
            conn = hubRegistry.hub().open(sink);
            Runnable release = quotaPlace;
            quotaPlace = null; // the connection's end gives it back now
            conn.done().whenComplete((reason, failure) -> release.run());
            if (claims.expires() != null) {
                // Its rights end with its token: the client reconnects with a new one and catches up.
                Duration left = Duration.between(Instant.now(), claims.expires());
                conn.closeAfter(left.isNegative() ? Duration.ZERO : left);
            }
        } catch (IllegalArgumentException e) {
            throw PlainText.error(Response.Status.BAD_REQUEST, e.getMessage());
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e);
        } catch (ClientQuota.LimitReached e) {
            throw PlainText.tooManyRequests(e.getMessage());
        } catch (HubClosedException e) {
            throw PlainText.error(Response.Status.SERVICE_UNAVAILABLE, "the hub is shutting down; retry later");
        } finally {
            if (quotaPlace != null) {
                quotaPlace.run();
            }
        }
        try {
            hubRegistry.hub().subscribe(conn, all, lastEventId, matcher);
            subscriptions.opened(conn, routing.matchers(), claims, hub);
        } catch (HubClosedException e) {
            conn.close();
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e); // another client took the last place since checkRoom
        } catch (SseKitException e) {
            // The history could not be read: the connection was cut rather than left with a gap.
            throw PlainText.error(Response.Status.SERVICE_UNAVAILABLE, "replay failed, retry later: " + e.getMessage());
        }
    }

    /**
     * Adds the fields of an {@code application/x-www-form-urlencoded} form (a query component, a
     * {@code QUERY} body), decoded as UTF-8, to {@code params} in order.
     *
     * @param form the form, already checked for encoding (see {@code FormEncoding}); null or empty adds nothing
     */
    static void addForm(String form, Map<String, List<String>> params) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
    }

    private String newestId() {
        try {
            return hubRegistry.hub().history().latestId().orElse(HistoryStore.EARLIEST);
        } catch (SseKitException e) {
            throw PlainText.error(Response.Status.SERVICE_UNAVAILABLE, "the history cannot be read, retry later: "
                    + e.getMessage());
        }
    }

    /** A subscription's matcher, screened by its routing's prefixes where it has them. */
    private record HubMatcher(Routing routing, MercureClaims claims, Screen screen) implements TopicMatcher, ScreenedMatcher {
        @Override
        public boolean matches(Set<String> topics) {
            return accepts(routing, claims, topics);
        }
    }

    /**
     * The matcher's decision for an event no exact topic of the subscription brought: a public
     * event when a pattern selects one of its topics; a private one when some matcher selects one of
     * its topics and the token grants subscribe on one of them.
     */
    private static boolean accepts(Routing routing, MercureClaims claims, Set<String> topics) {
        String first = topics.iterator().next();
        if (!PrivateTopics.isPrivate(first)) {
            for (String t : topics) {
                if (routing.patternRoutes(t)) {
                    return true;
                }
            }
            return false;
        }
        boolean routed = false;
        boolean granted = false;
        for (String t : topics) {
            String name = PrivateTopics.publicName(t);
            routed = routed || routing.routes(name);
            granted = granted || claims.maySubscribe(name);
            if (routed && granted) {
                return true;
            }
        }
        return false;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
