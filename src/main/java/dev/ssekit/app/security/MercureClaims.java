package dev.ssekit.app.security;

import com.nimbusds.jwt.JWTClaimsSet;

import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code mercure} claim of a verified token: the topic selectors its bearer may publish to
 * ({@code mercure.publish}) and receive private updates of ({@code mercure.subscribe}). A missing
 * list allows nothing.
 *
 * @param publish   selectors of {@code mercure.publish}
 * @param subscribe selectors of {@code mercure.subscribe}
 * @param expires   when the token expires ({@code exp}), or null if it does not
 */
public record MercureClaims(List<TopicSelector> publish, List<TopicSelector> subscribe, Instant expires) {
    /** No rights: an anonymous subscriber. */
    public static final MercureClaims NONE = new MercureClaims(List.of(), List.of(), null);

    /** Copies the lists. */
    public MercureClaims {
        publish = List.copyOf(publish);
        subscribe = List.copyOf(subscribe);
    }

    static MercureClaims of(JWTClaimsSet claims) {
        Map<String, Object> mercure;
        try {
            mercure = claims.getJSONObjectClaim("mercure");
        } catch (ParseException e) {
            throw new InvalidTokenException("the token's mercure claim must be a JSON object");
        }
        Instant expires = claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant();
        if (mercure == null) {
            return new MercureClaims(List.of(), List.of(), expires);
        }
        return new MercureClaims(selectors(mercure.get("publish"), "publish"),
                selectors(mercure.get("subscribe"), "subscribe"), expires);
    }

    private static List<TopicSelector> selectors(Object value, String name) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new InvalidTokenException("the token's mercure." + name + " claim must be an array of topic selectors");
        }
        List<TopicSelector> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new InvalidTokenException("the token's mercure." + name + " claim must hold strings only");
            }
            out.add(TopicSelector.of(s));
        }
        return out;
    }

    /** @return whether the bearer may publish to {@code topic} */
    public boolean mayPublish(String topic) {
        return publish.stream().anyMatch(s -> s.matches(topic));
    }

    /** @return whether the bearer may receive the private updates of {@code topic} */
    public boolean maySubscribe(String topic) {
        return subscribe.stream().anyMatch(s -> s.matches(topic));
    }
}
