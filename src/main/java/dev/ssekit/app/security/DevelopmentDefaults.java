package dev.ssekit.app.security;

/**
 * What a development launcher may relax, contributed as a CDI bean by the embedded hub only (a
 * deployed WAR has none): anonymous publishing when it listens on loopback and no key is set.
 *
 * @param anonymousPublishOnLoopback whether the launcher listens on loopback only
 */
public record DevelopmentDefaults(boolean anonymousPublishOnLoopback) {
}
