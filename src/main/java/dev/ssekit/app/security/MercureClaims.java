package dev.ssekit.app.security;

import dev.ssekit.app.PlainText;
import dev.ssekit.app.mercure.TopicRules;
import dev.ssekit.app.url.UrlPattern;

import com.nimbusds.jwt.JWTClaimsSet;

import java.net.URI;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rights of a verified token: the topics its bearer may publish to and receive private updates
 * of. From a current-revision access token they come from the RFC 9396 {@code authorization_details}
 * claim (details of type {@value #DETAIL_TYPE}); from an old-revision token, from the {@code mercure}
 * claim ({@code mercure.publish}, {@code mercure.subscribe}). A missing list allows nothing.
 *
 * @param publish   matchers of the topics it may publish to
 * @param subscribe matchers of the topics whose private updates it may receive
 * @param expires   when the token expires ({@code exp}), or null if it does not
 * @param subscribeDetails the subscribe grants in the token's order, with their payloads
 * @param subject   the token's {@code sub}, or null: the client its connections count against
 */
public record MercureClaims(List<TopicRule> publish, List<TopicRule> subscribe, Instant expires,
                            List<SubscribeDetail> subscribeDetails, String subject) {
    /** No rights: an anonymous subscriber. */
    public static final MercureClaims NONE = new MercureClaims(List.of(), List.of(), null, List.of(), null);
    /** The type of a Mercure authorization detail, compared byte by byte. */
    public static final String DETAIL_TYPE = "https://mercure.rocks/authorization-detail";
    /** Most authorization details, and topic matchers per detail, a token may carry. */
    static final int MAX_DETAILS = 100;
    static final int MAX_MATCHERS = 1000;

    /** Copies the lists. */
    public MercureClaims {
        publish = List.copyOf(publish);
        subscribe = List.copyOf(subscribe);
        subscribeDetails = List.copyOf(subscribeDetails);
    }

    /**
     * A grant to subscribe, in the token's order, with the user data attached to it.
     *
     * @param topics  the matchers it grants
     * @param payload its {@code payload} as JSON text; null when it has none
     */
    public record SubscribeDetail(List<TopicRule> topics, String payload) {
        public SubscribeDetail {
            topics = List.copyOf(topics);
        }
    }

    /**
     * The user data a subscription's description carries: the payload of the first subscribe grant
     * whose topics match the subscription's own matcher string, read as if it were a topic.
     *
     * @param match the subscription's {@code match} value
     * @return its payload as JSON text, if that grant has one
     */
    public java.util.Optional<String> payloadFor(String match) {
        for (SubscribeDetail d : subscribeDetails) {
            if (d.topics().stream().anyMatch(t -> t.matches(match))) {
                return java.util.Optional.ofNullable(d.payload());
            }
        }
        return java.util.Optional.empty();
    }

    /** The old revision's {@code mercure} claim. */
    static MercureClaims legacy(JWTClaimsSet claims) {
        Map<String, Object> mercure;
        try {
            mercure = claims.getJSONObjectClaim("mercure");
        } catch (ParseException e) {
            throw new InvalidTokenException("the token's mercure claim must be a JSON object");
        }
        Instant expires = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
        if (mercure == null) {
            return new MercureClaims(List.of(), List.of(), expires, List.of(), claims.getSubject());
        }
        List<TopicRule> subscribe = selectors(mercure.get("subscribe"), "subscribe");
        Object payload = mercure.get("payload");
        // The old revision's payload belongs to the subscriber, whatever it subscribes to.
        List<SubscribeDetail> details = payload == null ? List.of()
                : List.of(new SubscribeDetail(List.of(topic -> true), anyJson(payload)));
        return new MercureClaims(selectors(mercure.get("publish"), "publish"), subscribe, expires, details,
                claims.getSubject());
    }

    private static List<TopicRule> selectors(Object value, String name) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidTokenException("the token's mercure." + name + " claim must be an array of topic selectors");
        }
        List<TopicRule> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new InvalidTokenException("the token's mercure." + name + " claim must hold strings only");
            }
            out.add(TopicSelector.of(s));
        }
        return out;
    }

    /**
     * The current revision's {@code authorization_details}: every Mercure detail must parse, or the
     * whole token is refused (no partial acceptance); details of other types are ignored, as are
     * actions this hub does not know.
     *
     * @param hub the hub's URL, against which relative URL patterns resolve
     */
    static MercureClaims current(JWTClaimsSet claims, URI hub) {
        Object raw = claims.getClaim("authorization_details");
        Instant expires = claims.getExpirationTime().toInstant();
        List<TopicRule> publish = new ArrayList<>();
        List<TopicRule> subscribe = new ArrayList<>();
        List<SubscribeDetail> subscribeDetails = new ArrayList<>();
        if (raw == null) {
            return new MercureClaims(publish, subscribe, expires, subscribeDetails, claims.getSubject());
        }
        if (!(raw instanceof List<?> details)) {
            throw new InvalidTokenException("the token's authorization_details claim must be a JSON array");
        }
        if (details.size() > MAX_DETAILS) {
            throw new InvalidTokenException("the token has more than " + MAX_DETAILS + " authorization details");
        }
        for (Object d : details) {
            if (!(d instanceof Map<?, ?> detail)) {
                throw new InvalidTokenException("each authorization detail must be a JSON object");
            }
            if (!DETAIL_TYPE.equals(detail.get("type"))) {
                continue; // another API's detail: not ours to judge
            }
            if (!(detail.get("actions") instanceof List<?> actions) || actions.isEmpty()) {
                throw new InvalidTokenException("a Mercure authorization detail needs a non-empty actions array");
            }
            if (!(detail.get("topics") instanceof List<?> topics) || topics.isEmpty()) {
                throw new InvalidTokenException("a Mercure authorization detail needs a non-empty topics array");
            }
            if (topics.size() > MAX_MATCHERS) {
                throw new InvalidTokenException("an authorization detail has more than " + MAX_MATCHERS + " topics");
            }
            Object payload = detail.get("payload");
            if (payload != null && !(payload instanceof Map<?, ?>)) {
                throw new InvalidTokenException("an authorization detail's payload must be a JSON object");
            }
            List<TopicRule> rules = new ArrayList<>(topics.size());
            for (Object t : topics) {
                rules.add(rule(t, hub));
            }
            for (Object a : actions) {
                if (!(a instanceof String action)) {
                    throw new InvalidTokenException("an authorization detail's actions must be strings");
                }
                if (action.equals("publish")) {
                    publish.addAll(rules);
                } else if (action.equals("subscribe")) {
                    subscribe.addAll(rules);
                    subscribeDetails.add(new SubscribeDetail(rules, payload == null ? null : json(payload)));
                } // an action this hub does not know grants nothing
            }
        }
        return new MercureClaims(publish, subscribe, expires, subscribeDetails, claims.getSubject());
    }

    /** The old revision's payload may be any JSON value, not only an object. */
    private static String anyJson(Object value) {
        String wrapped = com.nimbusds.jose.util.JSONObjectUtils.toJSONString(Map.of("v", value));
        return wrapped.substring("{\"v\":".length(), wrapped.length() - 1);
    }

    private static String json(Object payload) {
        if (!(payload instanceof Map<?, ?> object)) {
            throw new InvalidTokenException("a payload must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> typed = (Map<String, ?>) object;
        return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(typed);
    }

    private static TopicRule rule(Object t, URI hub) {
        if (!(t instanceof Map<?, ?> m) || !(m.get("match") instanceof String match)) {
            throw new InvalidTokenException("each topic matcher must be a JSON object with a string match");
        }
        Object type = m.containsKey("match_type") ? m.get("match_type") : "exact";
        // A type the hub cannot evaluate refuses the token, even beside the wildcard: skipping it
        // would silently change what the token grants.
        if (!"exact".equals(type) && !"urlpattern".equals(type)) {
            throw new InvalidTokenException("a topic matcher's match_type must be exact or urlpattern, got "
                    + (type instanceof String name ? PlainText.quote(name) : "a " + jsonType(type)));
        }
        if (match.isEmpty()) {
            throw new InvalidTokenException("a topic matcher's match must not be empty");
        }
        String bad = TopicRules.badCharacters(match, "a topic matcher's match");
        if (bad != null) {
            throw new InvalidTokenException(bad);
        }
        if (match.equals("*")) {
            return topic -> true; // the wildcard, whatever the type
        }
        if (type.equals("exact")) {
            return match::equals;
        }
        UrlPattern pattern;
        try {
            pattern = UrlPattern.cached(match, hub);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("a topic matcher is not a well-formed URL pattern: " + e.getMessage());
        }
        return topic -> pattern.matches(topic, hub);
    }

    private static String jsonType(Object value) {
        return value == null ? "null" : value instanceof Number ? "number" : value instanceof Boolean ? "boolean"
                : value instanceof List<?> ? "array" : "object";
    }

    /** @return whether the bearer may publish to {@code topic} */
    public boolean mayPublish(String topic) {
        return publish.stream().anyMatch(s -> s.matches(topic));
    }

    /** @return whether the bearer may receive the private updates of {@code topic} */
    public boolean maySubscribe(String topic) {
        return subscribe.stream().anyMatch(s -> s.matches(topic));
    }

    /** @return whether the bearer may receive some private updates */
    public boolean maySubscribeToAny() {
        return !subscribe.isEmpty();
    }
}
