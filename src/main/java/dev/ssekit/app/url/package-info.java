/**
 * URLs as the WHATWG URL Standard parses them, for the Mercure hub: the specification requires
 * topics and URL patterns to be parsed "using the URL parser of [URL]", which {@link java.net.URI}
 * is not (IDNA hosts, percent-encode sets, backslashes, IPv4 number forms, dot segments such as
 * {@code %2e}, default ports).
 *
 * <p>{@link dev.ssekit.app.url.WhatwgUrl} is the URL: {@code WhatwgUrl.parse(input, base)}
 * returns the parsed URL or empty on failure, and its static {@code canonicalize*} methods are the
 * URL Pattern Standard's component canonicalizers. The parser, host parser, percent-encode sets,
 * IDNA mapping and Punycode are package-private helpers. Only the JDK is used.
 *
 * <p>{@link dev.ssekit.app.url.UrlPattern}, the other public type, is the URL Pattern Standard on
 * top of it, as Mercure's {@code match_urlpattern} uses it: {@code UrlPattern.cached(pattern, hub)}
 * then {@code matches(topic, hub)}. Its tokenizer and pattern parser, constructor string parser
 * and the rewriting of ECMAScript regexps for RE2/J are package-private too (RE2/J is the one
 * library it needs).
 */
package dev.ssekit.app.url;
