package dev.ssekit.app;

import dev.ssekit.DuplicateIdException;
import dev.ssekit.Event;
import dev.ssekit.EventTooLargeException;
import dev.ssekit.HubClosedException;
import dev.ssekit.SseKitException;
import dev.ssekit.app.mercure.PrivateTopics;
import dev.ssekit.app.mercure.TopicRules;
import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.PublishFilter;
import dev.ssekit.app.security.QueryBodyFilter;
import dev.ssekit.app.security.SecuritySettings;
import dev.ssekit.internal.TextResponses;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Mercure hub protocol, current revision ({@code match*}, access tokens with
 * {@code authorization_details}) and old revision ({@code topic}, the {@code mercure} claim), each
 * switchable ({@link SecuritySettings.Protocol}): subscribe with {@code GET /.well-known/mercure},
 * publish with a form {@code POST} to the same path.
 *
 * <p>Publishing needs a JWT whose {@code mercure.publish} claim allows every topic of the update,
 * unless anonymous publishing is enabled ({@link HubSecurity}). A private update ({@code private=on})
 * is published under the private counterparts of its topics ({@link PrivateTopics}), to which only
 * subscribers whose {@code mercure.subscribe} claim matches a topic are also subscribed: live and
 * replayed alike, it never reaches anybody else.
 */
@RequestScoped
@Path(".well-known/mercure")
public class MercureResource {
    /** The longest Last-Event-ID accepted; ids ssekit assigns are far shorter. */
    static final int MAX_ID_LENGTH = 1024;
    /** The longest topic accepted: selectors are matched against it. */
    static final int MAX_TOPIC_LENGTH = 2048;
    /** The most {@code topic} fields one update may carry; past it the publish is refused with 413. */
    static final int MAX_TOPICS_PER_UPDATE = 1000;

    @Inject
    HubRegistry hubRegistry;

    @Inject
    HubSecurity security;

    @Inject
    MercureSubscribe subscribe;

    /**
     * Streams the events of the topics the request's matchers select, after replaying what the
     * client missed: current revision {@code match}, {@code match_exact}, {@code match_urlpattern}
     * and {@code last_event_id}; old revision {@code topic} (exact, URI template or {@code *}) and
     * {@code lastEventID} ({@link MercureSubscribe}). In the WAR, a {@code GET} whose {@code Accept}
     * names {@code text/event-stream} (every EventSource's) is served before it reaches JAX-RS, by
     * {@link SubscribeFilter}, through the same {@link MercureSubscribe}; this method serves the rest,
     * and every subscription of the embedded hub.
     *
     * @param lastEventHeader the {@code Last-Event-ID} header a reconnecting EventSource sends
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@HeaderParam("Last-Event-ID") String lastEventHeader,
                          @HeaderParam("Authorization") String authorization,
                          @CookieParam(HubSecurity.COOKIE) String cookie,
                          @CookieParam(HubSecurity.CURRENT_COOKIE) String currentCookie,
                          @Context UriInfo uri, @Context SseEventSink sink, @Context Sse sse) {
        subscribe.stream(uri.getQueryParameters(true), lastEventHeader, authorization,
                security.cookie(cookie, currentCookie), uri.getBaseUri(), sink);
    }

    /** The {@code QUERY} method (RFC 10008): safe, like GET, with its parameters in the body. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @HttpMethod("QUERY")
    public @interface Query {
    }

    /**
     * Streams like {@link #subscribe}, for a {@code QUERY} request whose matchers (and
     * {@code last_event_id}) are in an {@code application/x-www-form-urlencoded} body, for lists too
     * long for a URL: the parameters are the union of the query component's and the body's, and a
     * {@code last_event_id} in both is taken from the query component, as the protocol asks.
     *
     * @param body the form, already checked for size and encoding by {@link QueryBodyFilter}
     */
    @Query
    @QueryBodyFilter.Bound
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void query(String body,
                      @HeaderParam("Last-Event-ID") String lastEventHeader,
                      @HeaderParam("Authorization") String authorization,
                      @CookieParam(HubSecurity.COOKIE) String cookie,
                      @CookieParam(HubSecurity.CURRENT_COOKIE) String currentCookie,
                      @Context UriInfo uri, @Context SseEventSink sink, @Context Sse sse) {
        // The query component's values first: single-valued parameters are read from the first value.
        Map<String, List<String>> params = new LinkedHashMap<>();
        uri.getQueryParameters(true).forEach((name, values) -> params.put(name, new ArrayList<>(values)));
        MercureSubscribe.addForm(body, params);
        subscribe.stream(params, lastEventHeader, authorization, security.cookie(cookie, currentCookie), uri.getBaseUri(),
                sink);
    }

    /**
     * Refuses {@code HEAD}: the container would otherwise run {@link #subscribe} for it and hold a
     * stream open whose body it may not send (found by the fuzz run: no answer at all).
     *
     * @return 405 naming the methods
     */
    @HEAD
    public Response head() {
        return Response.status(Response.Status.METHOD_NOT_ALLOWED).header("Allow", "GET, QUERY, POST, OPTIONS").build();
    }

    /**
     * Publishes an update.
     *
     * @return 200 with the event id, as {@code text/plain; charset=utf-8}
     */
    @POST
    @PublishFilter.Bound
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_PLAIN)
    public Response publish(@FormParam("topic") List<String> topics,
                            @FormParam("data") String data,
                            @FormParam("id") String id,
                            @FormParam("type") String type,
                            @FormParam("retry") String retry,
                            @FormParam("private") List<String> privateFlags,
                            @HeaderParam("Authorization") String authorization,
                            @CookieParam(HubSecurity.COOKIE) String cookie,
                            @CookieParam(HubSecurity.CURRENT_COOKIE) String currentCookie,
                            @HeaderParam("Origin") String origin,
                            @HeaderParam("Referer") String referer,
                            @Context UriInfo uri) {
        // PublishFilter has already refused a missing or invalid token (401) before the form was read.
        URI hub = security.settings().protocol().hubUrl(uri.getBaseUri());
        Set<String> target = topics(topics, hub);
        // Every field is checked before the grant: what no token may publish (type mercure, an id the
        // hub reserves) is a 400 whatever the token grants.
        Event event = event(data, id, type, retry);
        security.authorizePublish(new HubSecurity.Credentials(authorization, security.cookie(cookie, currentCookie),
                origin, referer, uri.getBaseUri()), target);
        // As in Mercure, the field's presence makes the update private, whatever its value ("private=").
        if (privateFlags != null && !privateFlags.isEmpty()) {
            Set<String> counterparts = new LinkedHashSet<>();
            target.forEach(t -> counterparts.add(PrivateTopics.of(t)));
            target = counterparts;
        }
        try {
            return Response.ok(hubRegistry.hub().publish(target, event).id(), TextResponses.TYPE).build();
        } catch (DuplicateIdException e) {
            // Ids are cursors into one hub-wide sequence, and a publisher that retries after a 503
            // (the store may have kept the update although its answer was lost) sends the same id:
            // storing it again under another id would deliver it twice. So a reused id is refused.
            throw error(Response.Status.CONFLICT, "id: \"" + e.id() + "\" is already in history; the update was not "
                    + "stored again (if this retries a publish that failed, that one was stored)");
        } catch (EventTooLargeException e) {
            throw error(Response.Status.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
        } catch (IllegalArgumentException e) {
            // The event is valid; the store refuses what it cannot keep (an id or topic too long for it).
            throw error(Response.Status.BAD_REQUEST, e.getMessage());
        } catch (HubClosedException e) {
            throw error(Response.Status.SERVICE_UNAVAILABLE, "the hub is shutting down; retry later");
        } catch (SseKitException e) {
            // Not "not published": a store whose answer was lost may have kept it (then it reaches
            // subscribers once, and a retry with the same id gets 409).
            throw error(Response.Status.SERVICE_UNAVAILABLE, "the event was not acknowledged: " + e.getMessage());
        }
    }

    /** @return the update's event, its fields checked: 400 for a bad value, 413 for one too long */
    private static Event event(String data, String id, String type, String retry) {
        Event event;
        try {
            event = Event.of(data == null ? "" : data);
            if (id != null && !id.isEmpty()) {
                if (id.length() > MAX_ID_LENGTH) {
                    throw error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "id: longer than " + MAX_ID_LENGTH
                            + " characters");
                }
                checkId(id, "id");
                if (id.startsWith("#") || id.equals("earliest")) {
                    throw new IllegalArgumentException("id: must not start with # nor be earliest (reserved for the hub)");
                }
                event = event.withId(id);
            } else {
                event = event.withId(newId());
            }
            if (type != null && !type.isEmpty()) {
                check(TopicRules.badCharacters(type, "type"));
                if (type.equals("mercure")) {
                    throw new IllegalArgumentException("type: mercure is reserved for the hub's own events");
                }
                event = event.withType(type);
            }
            if (retry != null && !retry.isEmpty()) {
                event = event.withRetry(Duration.ofMillis(parseRetry(retry)));
            }
        } catch (IllegalArgumentException e) {
            throw error(Response.Status.BAD_REQUEST, e.getMessage());
        }
        return event;
    }

    /** @return a hub-generated id: an IRI ({@code urn:uuid:…}), as the protocol requires */
    private static String newId() {
        return "urn:uuid:" + UUID.randomUUID();
    }

    private static void check(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static Set<String> topics(List<String> topics, URI hub) {
        Set<String> out = new LinkedHashSet<>();
        if (topics != null && topics.size() > MAX_TOPICS_PER_UPDATE) {
            throw error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "topic: an update may carry at most "
                    + MAX_TOPICS_PER_UPDATE + " topics, got " + topics.size());
        }
        if (topics != null) {
            for (String t : topics) {
                if (t == null || t.isEmpty()) {
                    throw error(Response.Status.BAD_REQUEST, "topic: must not be empty");
                }
                String bad = TopicRules.badCharacters(t, "topic");
                if (bad != null) {
                    throw error(Response.Status.BAD_REQUEST, bad);
                }
                if (t.length() > MAX_TOPIC_LENGTH) {
                    throw error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "topic: longer than " + MAX_TOPIC_LENGTH
                            + " characters");
                }
                if (t.equals("*")) {
                    throw error(Response.Status.BAD_REQUEST, "topic: * is the wildcard matcher and cannot be published to");
                }
                if (PrivateTopics.isPrivate(t)) {
                    throw error(Response.Status.BAD_REQUEST, "topic: names starting with " + PrivateTopics.PREFIX
                            + " are reserved for private updates; publish with private=on instead");
                }
                if (TopicRules.inReservedNamespace(t, hub)) {
                    throw error(Response.Status.BAD_REQUEST, "topic: addresses the hub's reserved namespace ("
                            + hub.getRawPath() + " and below)");
                }
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw error(Response.Status.BAD_REQUEST, "topic: at least one topic parameter is required");
        }
        return out;
    }

    static String checkId(String id, String field) {
        if (id.length() > MAX_ID_LENGTH) {
            throw error(Response.Status.BAD_REQUEST, field + ": longer than " + MAX_ID_LENGTH + " characters");
        }
        String bad = TopicRules.badCharacters(id, field);
        if (bad != null) {
            throw error(Response.Status.BAD_REQUEST, bad);
        }
        return id;
    }

    private static long parseRetry(String retry) {
        if (!retry.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("retry must be a whole number of milliseconds, ASCII digits only, got "
                    + PlainText.quote(retry));
        }
        String digits = retry.replaceFirst("^0+(?=.)", "");
        if (digits.length() > 10 || Long.parseLong(digits) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("retry must be at most " + Integer.MAX_VALUE + " milliseconds, got "
                    + PlainText.quote(retry));
        }
        return Long.parseLong(digits);
    }

    private static WebApplicationException error(Response.Status status, String message) {
        return PlainText.error(status, message);
    }
}
