package dev.ssekit.app.mercure;

/**
 * Private counterparts of topics: a private update is stored and fanned out under
 * {@code ssekit:private:<topic>}, and only subscribers authorized for {@code <topic>} also subscribe
 * to that name. Delivery and replay then follow topic membership, in the one history order, and no
 * history store needs to know what is private. The hub app refuses the prefix in client requests.
 */
public final class PrivateTopics {
    /** The reserved prefix of private counterparts. */
    public static final String PREFIX = "ssekit:private:";

    private PrivateTopics() {
    }

    /** @return the private counterpart of {@code topic} */
    public static String of(String topic) {
        return PREFIX + topic;
    }

    /** @return true if {@code topic} is a private counterpart (or a name that would pass for one) */
    public static boolean isPrivate(String topic) {
        return topic.startsWith(PREFIX);
    }

    /** @return the topic a private counterpart stands for; {@code topic} itself when it is not one */
    public static String publicName(String topic) {
        return isPrivate(topic) ? topic.substring(PREFIX.length()) : topic;
    }
}
