package dev.ssekit.app.security;

/** One topic matcher of a token's grant, of either revision of the protocol. */
public interface TopicRule {
    /**
     * @param topic a topic of an update
     * @return whether the grant covers it
     */
    boolean matches(String topic);
}
