package dev.ssekit.app.mercure;

import dev.ssekit.Conn;
import dev.ssekit.Event;
import dev.ssekit.app.HubRegistry;
import dev.ssekit.app.PlainText;
import dev.ssekit.app.security.HubSecurity;
import dev.ssekit.app.security.MercureClaims;
import dev.ssekit.app.security.SecuritySettings;
import dev.ssekit.internal.TextResponses;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The active subscriptions feature, on when {@value #SETTING} is {@code true}: a private update of
 * type {@code mercure} to {@code <hub path>/subscriptions/{match_type}/{match}/{subscriber}} when a
 * subscription starts and when it ends, and {@code GET} of that path, of its collection per matcher
 * and of all subscriptions, as JSON, for a token that grants {@code subscribe} on the path.
 * Subscriber ids are random {@code urn:uuid:} IRIs, one per connection.
 */
@ApplicationScoped
@Path(".well-known/mercure/subscriptions")
public class ActiveSubscriptions {
    /** The setting that turns the feature on. */
    public static final String SETTING = SecuritySettings.SUBSCRIPTIONS;
    private static final Logger LOG = Logger.getLogger(ActiveSubscriptions.class.getName());

    @Inject
    HubRegistry hubRegistry;

    @Inject
    HubSecurity security;

    // Keyed by the subscription's topic, so that a prefix selects a collection in order.
    private final ConcurrentSkipListMap<String, String> active = new ConcurrentSkipListMap<>();

    /** @return whether the feature is on ({@value #SETTING}, read at start-up with the security settings) */
    public boolean enabled() {
        return security.settings().protocol().subscriptions();
    }

    /**
     * Announces a connection's subscriptions, and their end when the connection ends.
     *
     * @param conn     the subscriber's connection
     * @param matchers its matchers
     * @param claims   its rights, whose subscribe grants may attach a payload to a subscription
     * @param hub      the hub's URL
     */
    public void opened(Conn conn, List<Routing.Matcher> matchers, MercureClaims claims, URI hub) {
        if (!enabled()) {
            return;
        }
        String subscriber = "urn:uuid:" + UUID.randomUUID();
        List<String[]> mine = new ArrayList<>();
        for (Routing.Matcher m : matchers) {
            String topic = hub.getRawPath() + "/subscriptions/" + m.type() + "/" + encode(m.match()) + "/" + encode(subscriber);
            String payload = claims.payloadFor(m.match()).orElse(null);
            mine.add(new String[] {topic, m.type(), m.match(), payload});
            String doc = document(topic, m, subscriber, payload, true);
            active.put(topic, doc);
            announce(topic, doc);
        }
        conn.done().whenComplete((reason, error) -> {
            for (String[] s : mine) {
                active.remove(s[0]);
                announce(s[0], document(s[0], new Routing.Matcher(s[1], s[2]), subscriber, s[3], false));
            }
        });
    }

    private void announce(String topic, String doc) {
        try {
            hubRegistry.hub().publish(List.of(PrivateTopics.of(topic)),
                    Event.of(doc).withType("mercure").withId("urn:uuid:" + UUID.randomUUID()));
        } catch (RuntimeException e) {
            // A subscription must not fail because its announcement could not be stored.
            LOG.log(Level.WARNING, "ssekit hub: a subscription event was not published", e);
        }
    }

    private static String document(String topic, Routing.Matcher m, String subscriber, String payload, boolean on) {
        return "{\"id\":" + JsonStrings.quote(topic) + ",\"type\":\"subscription\",\"match_type\":"
                + JsonStrings.quote(m.type()) + ",\"match\":" + JsonStrings.quote(m.match()) + ",\"subscriber\":"
                + JsonStrings.quote(subscriber) + ",\"active\":" + on
                + (payload == null ? "" : ",\"payload\":" + payload) + "}";
    }

    /** @return the collection of every active subscription */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response all(@HeaderParam("Authorization") String authorization,
                        @CookieParam(HubSecurity.COOKIE) String cookie,
                        @CookieParam(HubSecurity.CURRENT_COOKIE) String currentCookie, @Context UriInfo uri) {
        return get("", authorization, cookie, currentCookie, uri);
    }

    /**
     * The collection of every active subscription, of those of one matcher, or one subscription.
     *
     * @return JSON, with the reconciliation cursor on the {@code rel="mercure"} link
     */
    @GET
    @Path("{rest: .+}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@PathParam("rest") String ignored, @HeaderParam("Authorization") String authorization,
                        @CookieParam(HubSecurity.COOKIE) String cookie,
                        @CookieParam(HubSecurity.CURRENT_COOKIE) String currentCookie, @Context UriInfo uri) {
        if (!enabled()) {
            throw PlainText.error(Response.Status.NOT_FOUND, "subscriptions: the active subscriptions API is off ("
                    + SecuritySettings.SUBSCRIPTIONS + ")");
        }
        URI hub = security.settings().protocol().hubUrl(uri.getBaseUri());
        String path = uri.getRequestUri().getRawPath();
        if (path.endsWith("/") && path.length() > 1) {
            path = path.substring(0, path.length() - 1);
        }
        MercureClaims claims = security.subscriber(new HubSecurity.Credentials(authorization,
                security.cookie(cookie, currentCookie), null, null, uri.getBaseUri()));
        if (claims == MercureClaims.NONE) {
            throw new WebApplicationException(Response.status(Response.Status.UNAUTHORIZED)
                    .header("WWW-Authenticate", "Bearer realm=\"mercure\", resource_metadata=\""
                            + security.metadataUrl(uri.getBaseUri()) + "\"")
                    .type(TextResponses.TYPE).entity("subscriptions: an access token is required").build());
        }
        if (!claims.maySubscribe(path)) {
            throw new WebApplicationException(Response.status(Response.Status.FORBIDDEN)
                    .header("WWW-Authenticate", "Bearer realm=\"mercure\", resource_metadata=\""
                            + security.metadataUrl(uri.getBaseUri()) + "\", error=\"insufficient_scope\"")
                    .type(TextResponses.TYPE).entity("subscriptions: the token grants no subscribe right on "
                            + path).build());
        }
        String base = hub.getRawPath() + "/subscriptions";
        int depth = path.equals(base) ? 0 : path.substring(base.length() + 1).split("/", -1).length;
        String body;
        if (depth == 3) {
            body = active.get(path);
            if (body == null) {
                throw PlainText.error(Response.Status.NOT_FOUND, "subscriptions: no active subscription at " + path);
            }
        } else if (depth == 0 || depth == 2) {
            String prefix = depth == 0 ? base + "/" : path + "/";
            StringBuilder list = new StringBuilder();
            for (Map.Entry<String, String> e : active.tailMap(prefix).entrySet()) {
                if (!e.getKey().startsWith(prefix)) {
                    break;
                }
                list.append(list.length() == 0 ? "" : ",").append(e.getValue());
            }
            body = "{\"id\":" + JsonStrings.quote(path) + ",\"type\":\"subscriptions\",\"subscriptions\":[" + list + "]}";
        } else {
            throw PlainText.error(Response.Status.NOT_FOUND, "subscriptions: the API's paths are " + base
                    + "[/{match_type}/{match}[/{subscriber}]]");
        }
        String last = hubRegistry.hub().history().latestId().orElse("earliest");
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE)
                .header("Link", "<" + hub + ">; rel=\"mercure\"; last-event-id=" + JsonStrings.quote(last)
                        + "; type=\"mercure\"; content-type=\"application/json\"")
                .build();
    }

    /** RFC 6570 simple expansion: everything but unreserved characters percent-encoded, once. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }

}
