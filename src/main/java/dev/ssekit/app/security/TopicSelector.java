package dev.ssekit.app.security;

import java.util.regex.Pattern;

/**
 * One topic selector of the old revision of Mercure (the {@code mercure} claim, the {@code topic}
 * subscription parameter): {@code *} (every topic), a URI template whose {@code {var}} matches
 * one path segment and {@code {+var}} any run of characters (RFC 6570 simple and reserved
 * expansion), or else an exact topic. Immutable.
 */
public final class TopicSelector implements TopicRule {
    private final String text;
    private final Pattern template;

    private TopicSelector(String text, Pattern template) {
        this.text = text;
        this.template = template;
    }

    /** @return the selector of {@code text} */
    public static TopicSelector of(String text) {
        return new TopicSelector(text, text.equals("*") ? null : compile(text));
    }

    /** @return the template's pattern, or null when {@code text} is not a well-formed template */
    private static Pattern compile(String text) {
        if (text.indexOf('{') < 0) {
            return null;
        }
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('{', i);
            int close = text.indexOf('}', i);
            if (open < 0) {
                if (close >= 0) {
                    return null;
                }
                regex.append(Pattern.quote(text.substring(i)));
                break;
            }
            if (close < open) {
                return null;
            }
            if (open > i) {
                regex.append(Pattern.quote(text.substring(i, open)));
            }
            String name = text.substring(open + 1, close);
            boolean reserved = name.startsWith("+");
            if (reserved) {
                name = name.substring(1);
            }
            if (!name.matches("[A-Za-z0-9_.]+")) {
                return null; // operators other than + and lists are not supported: an exact topic then
            }
            regex.append(reserved ? "(.+)" : "([^/?#]+)");
            i = close + 1;
        }
        return Pattern.compile(regex.toString());
    }

    /** @return whether this is {@code *} or a URI template, which an exact lookup cannot serve */
    public boolean isPattern() {
        return text.equals("*") || template != null;
    }

    /** @return whether {@code topic} matches */
    @Override
    public boolean matches(String topic) {
        if (text.equals("*") || text.equals(topic)) {
            return true;
        }
        return template != null && template.matcher(topic).matches();
    }

    @Override
    public String toString() {
        return text;
    }
}
