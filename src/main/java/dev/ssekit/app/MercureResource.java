package dev.ssekit.app;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.DuplicateIdException;
import dev.ssekit.HubClosedException;
import dev.ssekit.SseKitException;
import dev.ssekit.SubscriberLimitException;
import dev.ssekit.Topic;
import dev.ssekit.Topics;
import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.MercureClaims;
import dev.ssekit.app.security.PublishFilter;
import dev.ssekit.internal.PrivateTopics;
import dev.ssekit.internal.TextResponses;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The subset of the Mercure hub protocol that existing Mercure clients use: subscribe with
 * {@code GET /.well-known/mercure?topic=…}, publish with a form {@code POST} to the same path.
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

    @Inject
    @Topic
    Topics registry;

    @Inject
    HubSecurity security;

    /**
     * Streams the events of one or more topics, after replaying what the client missed.
     *
     * @param topics          the {@code topic} query parameters, one or more
     * @param lastEventHeader the {@code Last-Event-ID} header a reconnecting EventSource sends
     * @param lastEventQuery  the {@code lastEventID} query parameter, for clients that cannot set headers
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void subscribe(@QueryParam("topic") List<String> topics,
                          @HeaderParam("Last-Event-ID") String lastEventHeader,
                          @QueryParam("lastEventID") String lastEventQuery,
                          @HeaderParam("Authorization") String authorization,
                          @CookieParam(HubSecurity.COOKIE) String cookie,
                          @Context SseEventSink sink, @Context Sse sse) {
        Set<String> wanted = topics(topics);
        // An anonymous subscriber gets public updates; a token that does not verify is refused (401).
        MercureClaims claims = security.subscriber(
                new HubSecurity.Credentials(authorization, cookie, null, null, null));
        Set<String> all = new LinkedHashSet<>(wanted);
        for (String topic : wanted) {
            if (claims.maySubscribe(topic)) {
                all.add(PrivateTopics.of(topic));
            }
        }
        // A reconnecting browser sends the header with the newest id it saw, while the query string
        // stays as first opened: the header wins.
        String lastEventId = lastEventHeader != null && !lastEventHeader.isEmpty() ? lastEventHeader : lastEventQuery;
        // An empty value means no replay (found by the fuzz run: it used to reach checkId as null).
        lastEventId = lastEventId == null || lastEventId.isEmpty() ? null : checkId(lastEventId, "Last-Event-ID");
        Conn conn;
        try {
            registry.checkRoom(all);
            conn = registry.open(sink, sse);
            if (claims.expires() != null) {
                // Its rights end with its token: the client reconnects with a new one and catches up.
                Duration left = Duration.between(Instant.now(), claims.expires());
                conn.closeAfter(left.isNegative() ? Duration.ZERO : left);
            }
        } catch (IllegalArgumentException e) {
            throw error(Response.Status.BAD_REQUEST, e.getMessage());
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e);
        } catch (HubClosedException e) {
            throw error(Response.Status.SERVICE_UNAVAILABLE, "the hub is shutting down; retry later");
        }
        try {
            registry.subscribe(conn, all, lastEventId);
        } catch (HubClosedException e) {
            conn.close();
        } catch (SubscriberLimitException e) {
            throw TextResponses.retryLater(e); // another client took the last place since checkRoom
        } catch (SseKitException e) {
            // The history could not be read: the connection was cut rather than left with a gap.
            throw error(Response.Status.SERVICE_UNAVAILABLE, "replay failed, retry later: " + e.getMessage());
        }
    }

    /**
     * Refuses {@code HEAD}: the container would otherwise run {@link #subscribe} for it and hold a
     * stream open whose body it may not send (found by the fuzz run: no answer at all).
     *
     * @return 405 naming the methods
     */
    @HEAD
    public Response head() {
        return Response.status(Response.Status.METHOD_NOT_ALLOWED).header("Allow", "GET, POST, OPTIONS").build();
    }

    /**
     * Publishes an update.
     *
     * @return 200 with the event id
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
                            @HeaderParam("Origin") String origin,
                            @HeaderParam("Referer") String referer,
                            @Context UriInfo uri) {
        // PublishFilter has already refused a missing or invalid token (401) before the form was read.
        Set<String> target = topics(topics);
        security.authorizePublish(
                new HubSecurity.Credentials(authorization, cookie, origin, referer, uri.getBaseUri()), target);
        // As in Mercure, the field's presence makes the update private, whatever its value ("private=").
        if (privateFlags != null && !privateFlags.isEmpty()) {
            Set<String> counterparts = new LinkedHashSet<>();
            target.forEach(t -> counterparts.add(PrivateTopics.of(t)));
            target = counterparts;
        }
        String body = data == null ? "" : data;
        Event event;
        try {
            event = Event.of(body);
            if (id != null && !id.isEmpty()) {
                event = event.withId(checkId(id, "id"));
            }
            if (type != null && !type.isEmpty()) {
                event = event.withType(type);
            }
            if (retry != null && !retry.isEmpty()) {
                event = event.withRetry(Duration.ofMillis(parseRetry(retry)));
            }
        } catch (IllegalArgumentException e) {
            throw error(Response.Status.BAD_REQUEST, e.getMessage());
        }
        try {
            String assigned = registry.publish(target, event);
            return Response.ok(assigned, MediaType.TEXT_PLAIN_TYPE).build();
        } catch (DuplicateIdException e) {
            throw error(Response.Status.CONFLICT, e.getMessage());
        } catch (IllegalArgumentException e) {
            // The event is valid; the store refuses what it cannot keep (an id or topic too long for it).
            throw error(Response.Status.BAD_REQUEST, e.getMessage());
        } catch (HubClosedException e) {
            throw error(Response.Status.SERVICE_UNAVAILABLE, "the hub is shutting down; retry later");
        } catch (SseKitException e) {
            throw error(Response.Status.SERVICE_UNAVAILABLE, "the event was not published: " + e.getMessage());
        }
    }

    private static Set<String> topics(List<String> topics) {
        Set<String> out = new LinkedHashSet<>();
        if (topics != null) {
            for (String t : topics) {
                if (t == null || t.isEmpty()) {
                    throw error(Response.Status.BAD_REQUEST, "topic: must not be empty");
                }
                if (t.indexOf('\r') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\0') >= 0) {
                    throw error(Response.Status.BAD_REQUEST, "topic: must not contain CR, LF or NUL");
                }
                if (t.length() > MAX_TOPIC_LENGTH) {
                    throw error(Response.Status.BAD_REQUEST, "topic: longer than " + MAX_TOPIC_LENGTH + " characters");
                }
                if (PrivateTopics.isPrivate(t)) {
                    throw error(Response.Status.BAD_REQUEST, "topic: names starting with " + PrivateTopics.PREFIX
                            + " are reserved for private updates; publish with private=on instead");
                }
                out.add(t);
            }
        }
        if (out.isEmpty()) {
            throw error(Response.Status.BAD_REQUEST, "topic: at least one topic parameter is required");
        }
        return out;
    }

    private static String checkId(String id, String field) {
        if (id.length() > MAX_ID_LENGTH) {
            throw error(Response.Status.BAD_REQUEST, field + ": longer than " + MAX_ID_LENGTH + " characters");
        }
        if (id.indexOf('\r') >= 0 || id.indexOf('\n') >= 0 || id.indexOf('\0') >= 0) {
            throw error(Response.Status.BAD_REQUEST, field + ": must not contain CR, LF or NUL");
        }
        return id;
    }

    private static long parseRetry(String retry) {
        try {
            long ms = Long.parseLong(retry);
            if (ms >= 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("retry must be a whole number of milliseconds, zero or more, got \""
                + (retry.length() > 40 ? retry.substring(0, 40) + "..." : retry) + "\"");
    }

    private static WebApplicationException error(Response.Status status, String message) {
        return TextResponses.error(status, message);
    }
}
