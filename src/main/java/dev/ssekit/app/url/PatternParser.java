package dev.ssekit.app.url;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The URL Pattern Standard's pattern strings: the tokenizer, the parser into a part list, and the
 * two generators ("generate a regular expression and name list", "generate a pattern string").
 * Indexes are UTF-16 indexes where the standard counts code points; only the substrings they cut
 * matter, and those are the same.
 */
final class PatternParser {
    private PatternParser() {
    }

    enum TokenType { OPEN, CLOSE, REGEXP, NAME, CHAR, ESCAPED_CHAR, OTHER_MODIFIER, ASTERISK, END, INVALID_CHAR }

    record Token(TokenType type, int index, String value) {
    }

    enum PartType { FIXED_TEXT, REGEXP, SEGMENT_WILDCARD, FULL_WILDCARD }

    enum Modifier {
        NONE(""), OPTIONAL("?"), ZERO_OR_MORE("*"), ONE_OR_MORE("+");

        final String text;

        Modifier(String text) {
            this.text = text;
        }
    }

    record Part(PartType type, String value, Modifier modifier, String name, String prefix, String suffix) {
    }

    /** The options of the standard: delimiter and prefix code points ("" for none); ignore case is never set. */
    record Options(String delimiter, String prefix) {
        static final Options DEFAULT = new Options("", "");
        static final Options HOSTNAME = new Options(".", "");
        static final Options PATHNAME = new Options("/", "/");
    }

    static final String FULL_WILDCARD = ".*";

    // ---------------------------------------------------------------- tokenizer

    /**
     * @param lenient the lenient policy (constructor strings) records an invalid-char token where
     *                the strict one (component patterns) refuses
     * @throws IllegalArgumentException under the strict policy, saying what is wrong and where
     */
    static List<Token> tokenize(String input, boolean lenient) {
        List<Token> tokens = new ArrayList<>();
        int index = 0;
        int length = input.length();
        while (index < length) {
            int cp = input.codePointAt(index);
            int next = index + Character.charCount(cp);
            if (cp == '*') {
                tokens.add(new Token(TokenType.ASTERISK, index, "*"));
                index = next;
            } else if (cp == '+' || cp == '?') {
                tokens.add(new Token(TokenType.OTHER_MODIFIER, index, input.substring(index, next)));
                index = next;
            } else if (cp == '\\') {
                if (next >= length) {
                    index = error(tokens, input, lenient, index, index, next, "a trailing '\\' escapes nothing");
                    continue;
                }
                int escapedEnd = next + Character.charCount(input.codePointAt(next));
                tokens.add(new Token(TokenType.ESCAPED_CHAR, index, input.substring(next, escapedEnd)));
                index = escapedEnd;
            } else if (cp == '{') {
                tokens.add(new Token(TokenType.OPEN, index, "{"));
                index = next;
            } else if (cp == '}') {
                tokens.add(new Token(TokenType.CLOSE, index, "}"));
                index = next;
            } else if (cp == ':') {
                int position = next;
                while (position < length) {
                    int c = input.codePointAt(position);
                    if (!isNameCodePoint(c, position == next)) {
                        break;
                    }
                    position += Character.charCount(c);
                }
                if (position <= next) {
                    index = error(tokens, input, lenient, index, index, next, "':' at " + index + " starts no group name");
                    continue;
                }
                tokens.add(new Token(TokenType.NAME, index, input.substring(next, position)));
                index = position;
            } else if (cp == '(') {
                int end = regexpEnd(input, next);
                if (end < 0) {
                    index = error(tokens, input, lenient, index, index, next,
                            regexpError(input, next, -end - 1));
                    continue;
                }
                tokens.add(new Token(TokenType.REGEXP, index, input.substring(next, end - 1)));
                index = end;
            } else {
                tokens.add(new Token(TokenType.CHAR, index, input.substring(index, next)));
                index = next;
            }
        }
        tokens.add(new Token(TokenType.END, index, ""));
        return tokens;
    }

    /**
     * @return the index after the {@code )} closing the regexp group whose content starts at
     *         {@code start}, or {@code -(reason + 1)} when it is not well formed
     */
    private static int regexpEnd(String input, int start) {
        int depth = 1;
        int position = start;
        int length = input.length();
        while (position < length) {
            char c = input.charAt(position);
            if (c > 0x7f) {
                return -(1 + 1);
            }
            if (position == start && c == '?') {
                return -(2 + 1);
            }
            if (c == '\\') {
                if (position == length - 1) {
                    return -(3 + 1);
                }
                if (input.charAt(position + 1) > 0x7f) {
                    return -(1 + 1);
                }
                position += 2;
                continue;
            }
            if (c == ')') {
                depth--;
                if (depth == 0) {
                    return position - start == 0 ? -(5 + 1) : position + 1;
                }
            } else if (c == '(') {
                depth++;
                if (position == length - 1) {
                    return -(4 + 1);
                }
                if (input.charAt(position + 1) != '?') {
                    return -(6 + 1);
                }
            }
            position++;
        }
        return -(4 + 1);
    }

    private static String regexpError(String input, int start, int reason) {
        String at = "the regexp group at " + (start - 1);
        return switch (reason) {
            case 1 -> at + " holds a character that is not ASCII";
            case 2 -> at + " starts with '?'";
            case 3 -> at + " ends with a '\\' that escapes nothing";
            case 5 -> at + " is empty";
            case 6 -> at + " holds a capturing group: write (?:…) for a group inside a regexp";
            default -> at + " is not closed";
        };
    }

    /** The standard's "process a tokenizing error": refuse (strict) or record an invalid-char token (lenient). */
    private static int error(List<Token> tokens, String input, boolean lenient, int index, int valueStart, int next,
            String message) {
        if (!lenient) {
            throw new IllegalArgumentException(message);
        }
        tokens.add(new Token(TokenType.INVALID_CHAR, index, input.substring(valueStart, next)));
        return next;
    }

    /** @return whether {@code cp} may start ({@code first}) or continue a JavaScript identifier */
    static boolean isNameCodePoint(int cp, boolean first) {
        if (cp == '$' || cp == '_') {
            return true;
        }
        if (first) {
            return Character.isUnicodeIdentifierStart(cp) && !Character.isIdentifierIgnorable(cp);
        }
        return cp == 0x200C || cp == 0x200D
                || Character.isUnicodeIdentifierPart(cp) && !Character.isIdentifierIgnorable(cp);
    }

    // ---------------------------------------------------------------- parser

    /**
     * The standard's "parse a pattern string".
     *
     * @throws IllegalArgumentException saying what is wrong (the encoding callback's refusals too)
     */
    static List<Part> parse(String input, Options options, UnaryOperator<String> encoding) {
        return new Parser(tokenize(input, false), options, encoding).parse();
    }

    private static final class Parser {
        private final List<Token> tokens;
        private final UnaryOperator<String> encoding;
        private final String segmentWildcard;
        private final List<Part> parts = new ArrayList<>();
        private final StringBuilder pending = new StringBuilder();
        private final Options options;
        private int index;
        private int nextNumericName;

        Parser(List<Token> tokens, Options options, UnaryOperator<String> encoding) {
            this.tokens = tokens;
            this.options = options;
            this.encoding = encoding;
            this.segmentWildcard = segmentWildcard(options);
        }

        List<Part> parse() {
            while (index < tokens.size()) {
                Token charToken = tryConsume(TokenType.CHAR);
                Token nameToken = tryConsume(TokenType.NAME);
                Token regexpOrWildcard = tryConsumeRegexpOrWildcard(nameToken);
                if (nameToken != null || regexpOrWildcard != null) {
                    String prefix = charToken == null ? "" : charToken.value();
                    if (!prefix.isEmpty() && !prefix.equals(options.prefix())) {
                        pending.append(prefix);
                        prefix = "";
                    }
                    maybeAddPendingFixedValue();
                    Token modifier = tryConsumeModifier();
                    addPart(prefix, nameToken, regexpOrWildcard, "", modifier);
                    continue;
                }
                Token fixed = charToken != null ? charToken : tryConsume(TokenType.ESCAPED_CHAR);
                if (fixed != null) {
                    pending.append(fixed.value());
                    continue;
                }
                Token open = tryConsume(TokenType.OPEN);
                if (open != null) {
                    String prefix = consumeText();
                    nameToken = tryConsume(TokenType.NAME);
                    regexpOrWildcard = tryConsumeRegexpOrWildcard(nameToken);
                    String suffix = consumeText();
                    consumeRequired(TokenType.CLOSE, open);
                    Token modifier = tryConsumeModifier();
                    addPart(prefix, nameToken, regexpOrWildcard, suffix, modifier);
                    continue;
                }
                maybeAddPendingFixedValue();
                consumeRequired(TokenType.END, null);
            }
            return List.copyOf(parts);
        }

        private Token tryConsume(TokenType type) {
            Token next = tokens.get(index);
            if (next.type() != type) {
                return null;
            }
            index++;
            return next;
        }

        private Token tryConsumeModifier() {
            Token token = tryConsume(TokenType.OTHER_MODIFIER);
            return token != null ? token : tryConsume(TokenType.ASTERISK);
        }

        private Token tryConsumeRegexpOrWildcard(Token nameToken) {
            Token token = tryConsume(TokenType.REGEXP);
            if (nameToken == null && token == null) {
                token = tryConsume(TokenType.ASTERISK);
            }
            return token;
        }

        private void consumeRequired(TokenType type, Token open) {
            if (tryConsume(type) == null) {
                Token found = tokens.get(index);
                String what = found.type() == TokenType.END ? "the end" : "'" + found.value() + "' at " + found.index();
                throw new IllegalArgumentException(type == TokenType.CLOSE
                        ? "the group '{' at " + open.index() + " is not closed where expected (found " + what + ")"
                        : "unexpected " + what + (found.type() == TokenType.CLOSE ? " (no group to close)"
                        : found.type() == TokenType.OTHER_MODIFIER || found.type() == TokenType.ASTERISK
                        ? " (a modifier after nothing it can modify)" : ""));
            }
        }

        private String consumeText() {
            StringBuilder result = new StringBuilder();
            while (true) {
                Token token = tryConsume(TokenType.CHAR);
                if (token == null) {
                    token = tryConsume(TokenType.ESCAPED_CHAR);
                }
                if (token == null) {
                    return result.toString();
                }
                result.append(token.value());
            }
        }

        private void maybeAddPendingFixedValue() {
            if (pending.length() == 0) {
                return;
            }
            String encoded = encoding.apply(pending.toString());
            pending.setLength(0);
            parts.add(new Part(PartType.FIXED_TEXT, encoded, Modifier.NONE, "", "", ""));
        }

        private void addPart(String prefix, Token nameToken, Token regexpOrWildcard, String suffix, Token modifierToken) {
            Modifier modifier = Modifier.NONE;
            if (modifierToken != null) {
                modifier = switch (modifierToken.value()) {
                    case "?" -> Modifier.OPTIONAL;
                    case "*" -> Modifier.ZERO_OR_MORE;
                    default -> Modifier.ONE_OR_MORE;
                };
            }
            if (nameToken == null && regexpOrWildcard == null && modifier == Modifier.NONE) {
                pending.append(prefix); // a "{foo}" group: plain text
                return;
            }
            maybeAddPendingFixedValue();
            if (nameToken == null && regexpOrWildcard == null) {
                if (prefix.isEmpty()) {
                    return;
                }
                parts.add(new Part(PartType.FIXED_TEXT, encoding.apply(prefix), modifier, "", "", ""));
                return;
            }
            String regexpValue;
            if (regexpOrWildcard == null) {
                regexpValue = segmentWildcard;
            } else if (regexpOrWildcard.type() == TokenType.ASTERISK) {
                regexpValue = FULL_WILDCARD;
            } else {
                regexpValue = regexpOrWildcard.value();
            }
            PartType type = PartType.REGEXP;
            if (regexpValue.equals(segmentWildcard)) {
                type = PartType.SEGMENT_WILDCARD;
                regexpValue = "";
            } else if (regexpValue.equals(FULL_WILDCARD)) {
                type = PartType.FULL_WILDCARD;
                regexpValue = "";
            }
            String name;
            if (nameToken != null) {
                name = nameToken.value();
            } else {
                name = Integer.toString(nextNumericName++);
            }
            for (Part part : parts) {
                if (part.name().equals(name)) {
                    throw new IllegalArgumentException("the group name '" + name + "' is used twice");
                }
            }
            parts.add(new Part(type, regexpValue, modifier, name, encoding.apply(prefix), encoding.apply(suffix)));
        }
    }

    // ---------------------------------------------------------------- generators

    static String segmentWildcard(Options options) {
        return "[^" + escapeRegexp(options.delimiter()) + "]+?";
    }

    /** The standard's "generate a regular expression and name list"; the names go to {@code names}. */
    static String regularExpression(List<Part> parts, Options options, List<String> names) {
        StringBuilder result = new StringBuilder("^");
        for (Part part : parts) {
            if (part.type() == PartType.FIXED_TEXT) {
                if (part.modifier() == Modifier.NONE) {
                    result.append(escapeRegexp(part.value()));
                } else {
                    result.append("(?:").append(escapeRegexp(part.value())).append(')').append(part.modifier().text);
                }
                continue;
            }
            names.add(part.name());
            String value = switch (part.type()) {
                case SEGMENT_WILDCARD -> segmentWildcard(options);
                case FULL_WILDCARD -> FULL_WILDCARD;
                default -> part.value();
            };
            boolean repeating = part.modifier() == Modifier.ZERO_OR_MORE || part.modifier() == Modifier.ONE_OR_MORE;
            if (part.prefix().isEmpty() && part.suffix().isEmpty()) {
                if (!repeating) {
                    result.append('(').append(value).append(')').append(part.modifier().text);
                } else {
                    result.append("((?:").append(value).append(')').append(part.modifier().text).append(')');
                }
                continue;
            }
            String prefix = escapeRegexp(part.prefix());
            String suffix = escapeRegexp(part.suffix());
            if (!repeating) {
                result.append("(?:").append(prefix).append('(').append(value).append(')').append(suffix).append(')')
                        .append(part.modifier().text);
                continue;
            }
            result.append("(?:").append(prefix).append("((?:").append(value).append(")(?:").append(suffix)
                    .append(prefix).append("(?:").append(value).append("))*)").append(suffix).append(')');
            if (part.modifier() == Modifier.ZERO_OR_MORE) {
                result.append('?');
            }
        }
        return result.append('$').toString();
    }

    static String escapeRegexp(String input) {
        StringBuilder result = new StringBuilder(input.length());
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (".+*?^${}()[]|/\\".indexOf(c) >= 0) {
                result.append('\\');
            }
            result.append(c);
        }
        return result.toString();
    }

    static String escapePatternString(String input) {
        StringBuilder result = new StringBuilder(input.length());
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if ("+*?:{}()\\".indexOf(c) >= 0) {
                result.append('\\');
            }
            result.append(c);
        }
        return result.toString();
    }

    /** The standard's "generate a pattern string": the normalized pattern a component reports. */
    static String patternString(List<Part> parts, Options options) {
        StringBuilder result = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            Part previous = i > 0 ? parts.get(i - 1) : null;
            Part next = i < parts.size() - 1 ? parts.get(i + 1) : null;
            if (part.type() == PartType.FIXED_TEXT) {
                if (part.modifier() == Modifier.NONE) {
                    result.append(escapePatternString(part.value()));
                } else {
                    result.append('{').append(escapePatternString(part.value())).append('}')
                            .append(part.modifier().text);
                }
                continue;
            }
            boolean customName = !isAsciiDigit(part.name().charAt(0));
            boolean needsGrouping = !part.suffix().isEmpty()
                    || !part.prefix().isEmpty() && !part.prefix().equals(options.prefix());
            if (!needsGrouping && customName && part.type() == PartType.SEGMENT_WILDCARD
                    && part.modifier() == Modifier.NONE && next != null && next.prefix().isEmpty()
                    && next.suffix().isEmpty()) {
                if (next.type() == PartType.FIXED_TEXT) {
                    needsGrouping = !next.value().isEmpty() && isNameCodePoint(next.value().codePointAt(0), false);
                } else {
                    needsGrouping = isAsciiDigit(next.name().charAt(0));
                }
            }
            if (!needsGrouping && part.prefix().isEmpty() && previous != null
                    && previous.type() == PartType.FIXED_TEXT && !previous.value().isEmpty()
                    && !options.prefix().isEmpty()
                    && previous.value().endsWith(options.prefix())) {
                needsGrouping = true;
            }
            if (needsGrouping) {
                result.append('{');
            }
            result.append(escapePatternString(part.prefix()));
            if (customName) {
                result.append(':').append(part.name());
            }
            if (part.type() == PartType.REGEXP) {
                result.append('(').append(part.value()).append(')');
            } else if (part.type() == PartType.SEGMENT_WILDCARD && !customName) {
                result.append('(').append(segmentWildcard(options)).append(')');
            } else if (part.type() == PartType.FULL_WILDCARD) {
                if (!customName && (previous == null || previous.type() == PartType.FIXED_TEXT
                        || previous.modifier() != Modifier.NONE || needsGrouping || !part.prefix().isEmpty())) {
                    result.append('*');
                } else {
                    result.append('(').append(FULL_WILDCARD).append(')');
                }
            }
            if (part.type() == PartType.SEGMENT_WILDCARD && customName && !part.suffix().isEmpty()
                    && isNameCodePoint(part.suffix().codePointAt(0), false)) {
                result.append('\\');
            }
            result.append(escapePatternString(part.suffix()));
            if (needsGrouping) {
                result.append('}');
            }
            result.append(part.modifier().text);
        }
        return result.toString();
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
