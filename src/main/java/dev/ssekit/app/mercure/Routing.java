package dev.ssekit.app.mercure;

import dev.ssekit.app.security.TopicSelector;
import dev.ssekit.app.url.UrlPattern;
import dev.ssekit.internal.ScreenedMatcher;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The topic matchers of one subscription request: exact topics (served by the hub's topic map) and
 * the rest ({@code *}, URL patterns, old-revision URI templates), asked one by one.
 */
public final class Routing {
    /** The most matchers one request may carry. */
    public static final int MAX_MATCHERS = 100;
    /** The longest matcher accepted, in characters. */
    public static final int MAX_LENGTH = 2048;

    private final Set<String> exact = new LinkedHashSet<>();
    private final List<Predicate<String>> patterns = new ArrayList<>();
    private final List<UrlPattern> urlPatterns = new ArrayList<>();
    private boolean templates;
    private final List<Matcher> matchers = new ArrayList<>();
    private boolean everything;

    /**
     * One matcher as the client gave it, for subscription events.
     *
     * @param type  its matcher type: {@code exact}, {@code urlpattern}, or {@code uritemplate} for
     *              an old-revision template
     * @param match the matcher string
     */
    public record Matcher(String type, String match) {
    }

    /**
     * Reads the matchers of a request's parameters.
     *
     * @param params  the decoded parameters (query, and the body of a QUERY request)
     * @param current whether the current revision's {@code match*} parameters are on
     * @param legacy  whether the old revision's {@code topic} parameter is on
     * @param hub     the hub's URL, against which relative URL patterns resolve
     * @return the routing
     * @throws IllegalArgumentException saying which parameter is wrong
     */
    public static Routing of(Map<String, List<String>> params, boolean current, boolean legacy, URI hub) {
        Routing r = new Routing();
        int count = 0;
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            String name = e.getKey();
            boolean reserved = name.regionMatches(true, 0, "match", 0, 5);
            boolean isTopic = legacy && name.equals("topic");
            if (!reserved && !isTopic) {
                continue; // other parameters are ignored, as the protocol asks
            }
            if (reserved && !current) {
                continue; // the current revision is off: its parameters mean nothing here
            }
            if (reserved && !name.equals("match") && !name.equals("match_exact") && !name.equals("match_urlpattern")) {
                throw new IllegalArgumentException(name + ": not a matcher type this hub supports (match, match_exact, "
                        + "match_urlpattern); names starting with match are reserved");
            }
            for (String value : e.getValue()) {
                count++;
                if (count > MAX_MATCHERS) {
                    throw new IllegalArgumentException(name + ": at most " + MAX_MATCHERS + " matchers per request");
                }
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(name + ": must not be empty");
                }
                if (value.length() > MAX_LENGTH) {
                    throw new IllegalArgumentException(name + ": longer than " + MAX_LENGTH + " characters");
                }
                String bad = TopicRules.badCharacters(value, name);
                if (bad != null) {
                    throw new IllegalArgumentException(bad);
                }
                if (PrivateTopics.isPrivate(value)) {
                    // Private updates are reached through a grant only, never by naming their counterpart.
                    throw new IllegalArgumentException(name + ": names starting with " + PrivateTopics.PREFIX
                            + " are reserved for private updates");
                }
                boolean template = isTopic && !value.equals("*") && TopicSelector.of(value).isPattern();
                r.matchers.add(new Matcher(name.equals("match_urlpattern") ? "urlpattern"
                        : template ? "uritemplate" : "exact", value));
                if (value.equals("*")) {
                    r.everything = true;
                    continue;
                }
                if (name.equals("match_urlpattern")) {
                    UrlPattern p;
                    try {
                        p = UrlPattern.cached(value, hub);
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException(name + ": " + ex.getMessage());
                    }
                    r.patterns.add(topic -> p.matches(topic, hub));
                    r.urlPatterns.add(p);
                } else if (isTopic) {
                    TopicSelector s = TopicSelector.of(value);
                    r.exact.add(value); // a topic named like a template is still an exact topic
                    if (s.isPattern()) {
                        r.patterns.add(s::matches);
                        r.templates = true;
                    }
                } else {
                    r.exact.add(value);
                }
            }
        }
        if (r.exact.isEmpty() && r.patterns.isEmpty() && !r.everything) {
            throw new IllegalArgumentException("topic: at least one topic matcher is required ("
                    + (current ? "match, match_urlpattern" : "") + (current && legacy ? " or " : "")
                    + (legacy ? "topic" : "") + ")");
        }
        return r;
    }

    /**
     * What the registry may check before asking this subscription's matcher about an event: each
     * topic's {@link TopicKey} must start with a URL pattern's {@link UrlPattern#screenPrefix} or be
     * the key of one of the exact topics (their private updates come through the matcher too).
     *
     * @return the screen; null with {@code *} or an old-revision URI template, which any topic may match
     */
    public ScreenedMatcher.Screen screen(URI hub) {
        if (everything || templates) {
            return null;
        }
        Set<String> prefixes = new LinkedHashSet<>();
        TopicKey key = new TopicKey(hub);
        urlPatterns.forEach(p -> prefixes.add(p.screenPrefix()));
        exact.forEach(t -> prefixes.add(key.apply(t)));
        return prefixes.isEmpty() ? null : new ScreenedMatcher.Screen(key, prefixes);
    }

    /**
     * A topic's screen key: its URL's protocol, host, port and path as URL patterns see them
     * (a private update's by its public name), or the topic itself after a NUL when it is not a URL.
     * Equal for equal hub URLs, so that every subscription's screen shares one computation per topic.
     *
     * @param hub the hub's URL
     */
    public record TopicKey(URI hub) implements Function<String, String> {
        @Override
        public String apply(String topic) {
            String name = PrivateTopics.isPrivate(topic) ? PrivateTopics.publicName(topic) : topic;
            String key = UrlPattern.screenKey(name, hub);
            return key != null ? key : "\u0000" + name;
        }
    }

    /** @return every matcher of the request, in order */
    public List<Matcher> matchers() {
        return List.copyOf(matchers);
    }

    /** @return the exact topics, for the topic map */
    public Set<String> exact() {
        return Set.copyOf(exact);
    }

    /** @return whether some matcher is not an exact topic */
    public boolean hasPatterns() {
        return everything || !patterns.isEmpty();
    }

    /** @return whether a matcher other than an exact topic selects {@code topic} */
    public boolean patternRoutes(String topic) {
        if (everything) {
            return true;
        }
        for (Predicate<String> p : patterns) {
            if (p.test(topic)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether any matcher selects {@code topic} */
    public boolean routes(String topic) {
        return exact.contains(topic) || patternRoutes(topic);
    }
}
