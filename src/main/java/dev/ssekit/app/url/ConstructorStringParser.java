package dev.ssekit.app.url;

import dev.ssekit.app.url.PatternParser.Token;
import dev.ssekit.app.url.PatternParser.TokenType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The URL Pattern Standard's "parse a constructor string": splits a pattern such as
 * {@code https://*.example.com/books/:id?q=*} into component pattern strings, on tokens of the
 * lenient tokenizer so that {@code :id} or {@code (…)} never read as URL separators.
 */
final class ConstructorStringParser {
    private enum State { INIT, PROTOCOL, AUTHORITY, USERNAME, PASSWORD, HOSTNAME, PORT, PATHNAME, SEARCH, HASH, DONE }

    private final String input;
    private final List<Token> tokens;
    private final Predicate<String> protocolMatchesSpecialScheme;
    private final Map<String, String> result = new HashMap<>();
    private int componentStart;
    private int tokenIndex;
    private int tokenIncrement = 1;
    private int groupDepth;
    private int ipv6BracketDepth;
    private boolean protocolIsSpecial;
    private State state = State.INIT;

    private ConstructorStringParser(String input, Predicate<String> protocolMatchesSpecialScheme) {
        this.input = input;
        this.tokens = PatternParser.tokenize(input, true);
        this.protocolMatchesSpecialScheme = protocolMatchesSpecialScheme;
    }

    /**
     * @param protocolMatchesSpecialScheme compiles a protocol pattern string and says whether it
     *                                     matches a special scheme (throws if it is not well formed)
     * @return the component pattern strings found, keyed by component name (protocol … hash)
     */
    static Map<String, String> parse(String input, Predicate<String> protocolMatchesSpecialScheme) {
        return new ConstructorStringParser(input, protocolMatchesSpecialScheme).run();
    }

    private Map<String, String> run() {
        while (tokenIndex < tokens.size()) {
            tokenIncrement = 1;
            if (tokens.get(tokenIndex).type() == TokenType.END) {
                if (state == State.INIT) {
                    // No protocol terminator: a relative pattern, starting at the pathname, search or hash.
                    rewind();
                    if (isHashPrefix()) {
                        changeState(State.HASH, 1);
                    } else if (isSearchPrefix()) {
                        changeState(State.SEARCH, 1);
                    } else {
                        changeState(State.PATHNAME, 0);
                    }
                    tokenIndex += tokenIncrement;
                    continue;
                }
                if (state == State.AUTHORITY) {
                    rewindAndSetState(State.HOSTNAME); // no '@': no user info
                    tokenIndex += tokenIncrement;
                    continue;
                }
                changeState(State.DONE, 0);
                break;
            }
            if (tokens.get(tokenIndex).type() == TokenType.OPEN) {
                groupDepth++; // no component boundary inside "{…}"
                tokenIndex += tokenIncrement;
                continue;
            }
            if (groupDepth > 0) {
                if (tokens.get(tokenIndex).type() == TokenType.CLOSE) {
                    groupDepth--;
                } else {
                    tokenIndex += tokenIncrement;
                    continue;
                }
            }
            step();
            tokenIndex += tokenIncrement;
        }
        if (result.containsKey("hostname") && !result.containsKey("port")) {
            result.put("port", ""); // a host without a port means the default port
        }
        return result;
    }

    private void step() {
        switch (state) {
            case INIT -> {
                if (isNonSpecialPatternChar(tokenIndex, ":")) {
                    rewindAndSetState(State.PROTOCOL);
                }
            }
            case PROTOCOL -> {
                if (isNonSpecialPatternChar(tokenIndex, ":")) {
                    protocolIsSpecial = protocolMatchesSpecialScheme.test(makeComponentString());
                    State next = State.PATHNAME;
                    int skip = 1;
                    if (isNonSpecialPatternChar(tokenIndex + 1, "/") && isNonSpecialPatternChar(tokenIndex + 2, "/")) {
                        next = State.AUTHORITY;
                        skip = 3;
                    } else if (protocolIsSpecial) {
                        next = State.AUTHORITY;
                    }
                    changeState(next, skip);
                }
            }
            case AUTHORITY -> {
                if (isNonSpecialPatternChar(tokenIndex, "@")) {
                    rewindAndSetState(State.USERNAME);
                } else if (isNonSpecialPatternChar(tokenIndex, "/") || isSearchPrefix() || isHashPrefix()) {
                    rewindAndSetState(State.HOSTNAME);
                }
            }
            case USERNAME -> {
                if (isNonSpecialPatternChar(tokenIndex, ":")) {
                    changeState(State.PASSWORD, 1);
                } else if (isNonSpecialPatternChar(tokenIndex, "@")) {
                    changeState(State.HOSTNAME, 1);
                }
            }
            case PASSWORD -> {
                if (isNonSpecialPatternChar(tokenIndex, "@")) {
                    changeState(State.HOSTNAME, 1);
                }
            }
            case HOSTNAME -> {
                if (isNonSpecialPatternChar(tokenIndex, "[")) {
                    ipv6BracketDepth++;
                } else if (isNonSpecialPatternChar(tokenIndex, "]")) {
                    ipv6BracketDepth--;
                } else if (isNonSpecialPatternChar(tokenIndex, ":") && ipv6BracketDepth == 0) {
                    changeState(State.PORT, 1);
                } else if (isNonSpecialPatternChar(tokenIndex, "/")) {
                    changeState(State.PATHNAME, 0);
                } else if (isSearchPrefix()) {
                    changeState(State.SEARCH, 1);
                } else if (isHashPrefix()) {
                    changeState(State.HASH, 1);
                }
            }
            case PORT -> {
                if (isNonSpecialPatternChar(tokenIndex, "/")) {
                    changeState(State.PATHNAME, 0);
                } else if (isSearchPrefix()) {
                    changeState(State.SEARCH, 1);
                } else if (isHashPrefix()) {
                    changeState(State.HASH, 1);
                }
            }
            case PATHNAME -> {
                if (isSearchPrefix()) {
                    changeState(State.SEARCH, 1);
                } else if (isHashPrefix()) {
                    changeState(State.HASH, 1);
                }
            }
            case SEARCH -> {
                if (isHashPrefix()) {
                    changeState(State.HASH, 1);
                }
            }
            case HASH, DONE -> {
                // nothing: the hash runs to the end
            }
        }
    }

    private static String key(State state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void changeState(State newState, int skip) {
        if (state != State.INIT && state != State.AUTHORITY && state != State.DONE) {
            result.put(key(state), makeComponentString());
        }
        if (state != State.INIT && newState != State.DONE) {
            boolean beforeHost = state == State.PROTOCOL || state == State.AUTHORITY || state == State.USERNAME
                    || state == State.PASSWORD;
            boolean beforePath = beforeHost || state == State.HOSTNAME || state == State.PORT;
            if (beforeHost && (newState == State.PORT || newState == State.PATHNAME || newState == State.SEARCH
                    || newState == State.HASH) && !result.containsKey("hostname")) {
                result.put("hostname", "");
            }
            if (beforePath && (newState == State.SEARCH || newState == State.HASH) && !result.containsKey("pathname")) {
                result.put("pathname", protocolIsSpecial ? "/" : "");
            }
            if ((beforePath || state == State.PATHNAME) && newState == State.HASH && !result.containsKey("search")) {
                result.put("search", "");
            }
        }
        state = newState;
        tokenIndex += skip;
        componentStart = tokenIndex;
        tokenIncrement = 0;
    }

    private void rewind() {
        tokenIndex = componentStart;
        tokenIncrement = 0;
    }

    private void rewindAndSetState(State newState) {
        rewind();
        state = newState;
    }

    private Token safeToken(int index) {
        return index < tokens.size() ? tokens.get(index) : tokens.get(tokens.size() - 1);
    }

    private boolean isNonSpecialPatternChar(int index, String value) {
        Token token = safeToken(index);
        return token.value().equals(value) && (token.type() == TokenType.CHAR
                || token.type() == TokenType.ESCAPED_CHAR || token.type() == TokenType.INVALID_CHAR);
    }

    private boolean isSearchPrefix() {
        if (isNonSpecialPatternChar(tokenIndex, "?")) {
            return true;
        }
        if (!tokens.get(tokenIndex).value().equals("?")) {
            return false;
        }
        if (tokenIndex - 1 < 0) {
            return true;
        }
        // A '?' after a group is its modifier, not the start of the search.
        TokenType previous = safeToken(tokenIndex - 1).type();
        return previous != TokenType.NAME && previous != TokenType.REGEXP && previous != TokenType.CLOSE
                && previous != TokenType.ASTERISK;
    }

    private boolean isHashPrefix() {
        return isNonSpecialPatternChar(tokenIndex, "#");
    }

    private String makeComponentString() {
        int end = tokens.get(tokenIndex).index();
        int start = safeToken(componentStart).index();
        return input.substring(start, end);
    }
}
