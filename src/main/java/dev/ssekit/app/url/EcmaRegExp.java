package dev.ssekit.app.url;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites an ECMAScript regular expression (the {@code v} flag, no {@code i}, as the URL Pattern
 * Standard compiles its components) into the RE2 syntax of RE2/J, with the same meaning. What RE2
 * cannot do in linear time, lookaround and backreferences, is refused rather than changed; so is
 * what ECMAScript itself refuses under the {@code v} flag.
 *
 * <p>Differences between the two syntaxes handled here: {@code .} excludes all ECMAScript line
 * terminators; {@code \s} is ECMAScript's Unicode white space; the escapes of code units and points
 * (x, u, c, 0); {@code \p{Script=…}} and {@code \p{General_Category=…}}; class set
 * operations ({@code [[a-z]--a]}, {@code [\d&&[0-1]]}) computed into plain ranges.
 */
final class EcmaRegExp {
    private static final int MAX = 0x10FFFF;
    private static final String LINE_TERMINATORS = "\\n\\r\\x{2028}\\x{2029}";
    private static final int[] SPACE = {0x09, 0x0D, 0x20, 0x20, 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A,
        0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF};
    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};

    private final String source;
    private final StringBuilder out = new StringBuilder();
    private int i;

    private EcmaRegExp(String source) {
        this.source = source;
    }

    /**
     * @return the RE2 form of {@code source}
     * @throws IllegalArgumentException saying what RE2 cannot express, or what is not a valid
     *                                  ECMAScript regular expression
     */
    static String toRe2(String source) {
        EcmaRegExp r = new EcmaRegExp(source);
        r.translate();
        return r.out.toString();
    }

    private IllegalArgumentException refuse(String what) {
        return new IllegalArgumentException(what + " at " + i + " of the regular expression " + source);
    }

    private void translate() {
        boolean atomBefore = false;
        while (i < source.length()) {
            char c = source.charAt(i);
            switch (c) {
                case '\\' -> {
                    // \b and \B are assertions: ECMAScript (u and v flags) refuses to repeat them.
                    atomBefore = !source.startsWith("\\b", i) && !source.startsWith("\\B", i);
                    escape();
                }
                case '(' -> {
                    group();
                    atomBefore = false;
                }
                case '.' -> {
                    out.append("[^").append(LINE_TERMINATORS).append(']');
                    i++;
                    atomBefore = true;
                }
                case '[' -> {
                    i++;
                    Ranges set = classContents();
                    out.append(set.toRe2());
                    atomBefore = true;
                }
                case '*', '+', '?' -> {
                    if (!atomBefore) {
                        throw refuse("'" + c + "' repeats nothing");
                    }
                    out.append(c);
                    i++;
                    if (i < source.length() && source.charAt(i) == '?') {
                        out.append('?');
                        i++;
                    }
                    atomBefore = false;
                }
                case '{' -> {
                    int end = quantifierEnd(i);
                    if (end < 0) {
                        throw refuse("a lone '{' (write \\{)");
                    }
                    if (!atomBefore) {
                        throw refuse("'{…}' repeats nothing");
                    }
                    String q = source.substring(i, end);
                    for (String n : q.substring(1, q.length() - 1).split(",", -1)) {
                        if (!n.isEmpty() && (n.length() > 4 || Integer.parseInt(n) > 1000)) {
                            throw refuse("a repeat count above 1000 (RE2's limit)");
                        }
                    }
                    out.append(q);
                    i = end;
                    if (i < source.length() && source.charAt(i) == '?') {
                        out.append('?');
                        i++;
                    }
                    atomBefore = false;
                }
                case '}', ']' -> throw refuse("a lone '" + c + "' (write \\" + c + ")");
                case ')' -> {
                    out.append(')');
                    i++;
                    atomBefore = true;
                }
                case '^', '$', '|' -> {
                    out.append(c);
                    i++;
                    atomBefore = false; // an assertion or alternative: nothing to repeat
                }
                default -> {
                    int cp = source.codePointAt(i);
                    literal(out, cp);
                    i += Character.charCount(cp);
                    atomBefore = true;
                }
            }
        }
    }

    /** @return the index after a well-formed {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code at}, or -1 */
    private int quantifierEnd(int at) {
        int j = at + 1;
        int digits = j;
        while (j < source.length() && Character.isDigit(source.charAt(j)) && source.charAt(j) < 0x80) {
            j++;
        }
        if (j == digits) {
            return -1;
        }
        if (j < source.length() && source.charAt(j) == ',') {
            j++;
            while (j < source.length() && source.charAt(j) >= '0' && source.charAt(j) <= '9') {
                j++;
            }
        }
        return j < source.length() && source.charAt(j) == '}' ? j + 1 : -1;
    }

    private void group() {
        if (source.startsWith("(?:", i)) {
            out.append("(?:");
            i += 3;
        } else if (source.startsWith("(?=", i) || source.startsWith("(?!", i)) {
            throw refuse("a lookahead '" + source.substring(i, i + 3) + "' (RE2 matches in linear time and has none)");
        } else if (source.startsWith("(?<=", i) || source.startsWith("(?<!", i)) {
            throw refuse("a lookbehind '" + source.substring(i, i + 4) + "' (RE2 matches in linear time and has none)");
        } else if (source.startsWith("(?<", i)) {
            int end = source.indexOf('>', i + 3);
            String name = end < 0 ? "" : source.substring(i + 3, end);
            if (name.isEmpty() || !name.chars().allMatch(ch -> ch < 0x80 && (Character.isLetterOrDigit(ch) || ch == '_'))
                    || Character.isDigit(name.charAt(0))) {
                throw refuse("a named group whose name RE2 cannot take");
            }
            out.append("(?P<").append(name).append('>');
            i = end + 1;
        } else if (source.startsWith("(?", i)) {
            throw refuse("a group '(?" + (i + 2 < source.length() ? source.charAt(i + 2) : "") + "' RE2 does not support");
        } else {
            out.append('(');
            i++;
        }
    }

    private void escape() {
        if (i + 1 >= source.length()) {
            throw refuse("a trailing '\\'");
        }
        char c = source.charAt(i + 1);
        switch (c) {
            case 'd', 'D', 'w', 'W', 'b', 'B' -> {
                out.append('\\').append(c);
                i += 2;
            }
            case 's' -> {
                out.append(new Ranges(SPACE).toRe2());
                i += 2;
            }
            case 'S' -> {
                out.append(new Ranges(SPACE).complement().toRe2());
                i += 2;
            }
            case 'k' -> throw refuse("a backreference '\\k' (RE2 matches in linear time and has none)");
            case 'p', 'P' -> {
                int start = i;
                i += 2;
                String property = property();
                out.append(source.charAt(start + 1) == 'p' ? "\\p{" : "\\P{").append(property).append('}');
            }
            default -> {
                if (c >= '1' && c <= '9') {
                    throw refuse("a backreference '\\" + c + "' (RE2 matches in linear time and has none)");
                }
                literal(out, characterEscape(false));
            }
        }
    }

    /** @return the RE2 name of the {@code \p{…}} property at {@code i}, moving past it */
    private String property() {
        if (i >= source.length() || source.charAt(i) != '{') {
            throw refuse("'\\p' without '{…}'");
        }
        int end = source.indexOf('}', i);
        if (end < 0) {
            throw refuse("an unclosed '\\p{'");
        }
        String body = source.substring(i + 1, end);
        i = end + 1;
        int eq = body.indexOf('=');
        String value = body;
        if (eq >= 0) {
            String name = body.substring(0, eq);
            value = body.substring(eq + 1);
            if (!name.equals("General_Category") && !name.equals("gc") && !name.equals("Script") && !name.equals("sc")) {
                throw refuse("the property '" + name + "' RE2 does not support");
            }
        }
        if (value.isEmpty() || !value.chars().allMatch(ch -> ch < 0x80 && (Character.isLetter(ch) || ch == '_'))) {
            throw refuse("a malformed property '" + body + "'");
        }
        return value;
    }

    /**
     * Reads the character escape at {@code i} (a {@code \}), moving past it.
     *
     * @return its code point
     */
    private int characterEscape(boolean inClass) {
        char c = source.charAt(i + 1);
        i += 2;
        switch (c) {
            case 't':
                return '\t';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 'f':
                return '\f';
            case 'v':
                return 0x0B;
            case '0':
                if (i < source.length() && Character.isDigit(source.charAt(i))) {
                    throw refuse("an octal escape");
                }
                return 0;
            case 'c': {
                char letter = i < source.length() ? source.charAt(i) : 0;
                if (!(letter >= 'a' && letter <= 'z' || letter >= 'A' && letter <= 'Z')) {
                    throw refuse("'\\c' without a letter");
                }
                i++;
                return letter % 32;
            }
            case 'x': {
                int value = hex(2);
                return value;
            }
            case 'u': {
                if (i < source.length() && source.charAt(i) == '{') {
                    int end = source.indexOf('}', i);
                    if (end < 0 || end == i + 1 || end - i - 1 > 6) {
                        throw refuse("a malformed '\\u{…}'");
                    }
                    int value = parseHex(source.substring(i + 1, end));
                    if (value > MAX) {
                        throw refuse("a code point above U+10FFFF");
                    }
                    i = end + 1;
                    return value;
                }
                int value = hex(4);
                if (Character.isHighSurrogate((char) value) && source.startsWith("\\u", i)) {
                    int save = i;
                    i += 2;
                    int low = hex(4);
                    if (Character.isLowSurrogate((char) low)) {
                        return Character.toCodePoint((char) value, (char) low);
                    }
                    i = save;
                }
                return value;
            }
            case 'b':
                if (inClass) {
                    return 0x08;
                }
                break;
            case '-':
                if (inClass) {
                    return '-';
                }
                break;
            default:
                break;
        }
        if ("^$\\.*+?()[]{}|/".indexOf(c) >= 0) {
            return c;
        }
        if (inClass && "&-!#%,:;<=>@`~".indexOf(c) >= 0) {
            return c; // the v flag's class set reserved punctuators may be escaped in a class
        }
        i -= 2;
        throw refuse("an invalid escape '\\" + c + "'");
    }

    private int hex(int digits) {
        if (i + digits > source.length()) {
            throw refuse("a malformed hexadecimal escape");
        }
        int value = parseHex(source.substring(i, i + digits));
        i += digits;
        return value;
    }

    private int parseHex(String digits) {
        for (char d : digits.toCharArray()) {
            if (Character.digit(d, 16) < 0 || d > 0x7f) {
                throw refuse("a malformed hexadecimal escape");
            }
        }
        return Integer.parseInt(digits, 16);
    }

    /**
     * Reads a class (after its {@code [}) under the {@code v} flag: union of characters, ranges,
     * escapes and nested classes, or one set operation ({@code &&}, {@code --}) between operands.
     */
    private Ranges classContents() {
        boolean negated = false;
        if (i < source.length() && source.charAt(i) == '^') {
            negated = true;
            i++;
        }
        Ranges result = null;
        String operator = null;
        List<Ranges> operands = new ArrayList<>();
        Ranges union = new Ranges();
        boolean unionStarted = false;
        while (true) {
            if (i >= source.length()) {
                throw refuse("an unclosed '['");
            }
            char c = source.charAt(i);
            if (c == ']') {
                i++;
                break;
            }
            if (source.startsWith("&&", i) || source.startsWith("--", i)) {
                String op = source.substring(i, i + 2);
                if (operator != null && !operator.equals(op)) {
                    throw refuse("mixed class set operators (nest them in '[…]')");
                }
                if (!unionStarted) {
                    throw refuse("'" + op + "' without a left operand");
                }
                operator = op;
                operands.add(union);
                union = new Ranges();
                unionStarted = false;
                i += 2;
                continue;
            }
            if (operator != null && unionStarted) {
                throw refuse("a class set operand that is not a single character, escape or class");
            }
            Ranges operand;
            if (c == '[') {
                i++;
                operand = classContents();
            } else if (c == '\\' && i + 1 < source.length() && "dDwWsSpP".indexOf(source.charAt(i + 1)) >= 0) {
                operand = classEscape();
            } else if (c == '\\' && i + 1 < source.length() && source.charAt(i + 1) == 'q') {
                throw refuse("a string literal '\\q{…}' RE2 cannot match");
            } else {
                int from = classCharacter();
                int to = from;
                if (source.startsWith("-", i) && !source.startsWith("--", i)) {
                    i++;
                    if (i >= source.length() || source.charAt(i) == ']' || source.charAt(i) == '[') {
                        throw refuse("a range with no end");
                    }
                    to = classCharacter();
                    if (to < from) {
                        throw refuse("a range out of order");
                    }
                }
                operand = new Ranges(new int[] {from, to});
            }
            if (operator != null) {
                union = operand;
            } else {
                union = union.union(operand);
            }
            unionStarted = true;
        }
        if (operator != null) {
            if (!unionStarted) {
                throw refuse("'" + operator + "' without a right operand");
            }
            operands.add(union);
            result = operands.get(0);
            for (int k = 1; k < operands.size(); k++) {
                result = operator.equals("&&") ? result.intersect(operands.get(k))
                        : result.intersect(operands.get(k).complement());
            }
        } else {
            result = union;
        }
        return negated ? result.complement() : result;
    }

    private Ranges classEscape() {
        char c = source.charAt(i + 1);
        if (c == 'p' || c == 'P') {
            i += 2;
            String property = property();
            return Ranges.raw((c == 'p' ? "\\p{" : "\\P{") + property + "}");
        }
        i += 2;
        return switch (c) {
            case 'd' -> new Ranges(DIGIT);
            case 'D' -> new Ranges(DIGIT).complement();
            case 'w' -> new Ranges(WORD);
            case 'W' -> new Ranges(WORD).complement();
            case 's' -> new Ranges(SPACE);
            default -> new Ranges(SPACE).complement();
        };
    }

    /** Reads one class character (literal or escaped), refusing what the {@code v} flag reserves. */
    private int classCharacter() {
        char c = source.charAt(i);
        if (c == '\\') {
            return characterEscape(true);
        }
        if ("()[]{}/-|".indexOf(c) >= 0) {
            throw refuse("a '" + c + "' in a class that the v flag wants escaped");
        }
        if (i + 1 < source.length() && source.charAt(i + 1) == c && "&!#$%*+,.:;<=>?@^`~".indexOf(c) >= 0) {
            throw refuse("a doubled '" + c + "' in a class (reserved by the v flag)");
        }
        int cp = source.codePointAt(i);
        i += Character.charCount(cp);
        return cp;
    }

    static void literal(StringBuilder out, int cp) {
        if (cp < 0x80 && "\\.+*?()|[]{}^$".indexOf(cp) >= 0) {
            out.append('\\').appendCodePoint(cp);
        } else if (cp < 0x20 || cp == 0x7f || cp >= 0x80) {
            out.append("\\x{").append(Integer.toHexString(cp)).append('}');
        } else {
            out.appendCodePoint(cp);
        }
    }

    /** A set of code points as sorted disjoint ranges, or one RE2 property escape it cannot compute. */
    private static class Ranges {
        private final int[] bounds; // from0, to0, from1, to1, …
        private final String raw;

        Ranges() {
            this(new int[0]);
        }

        Ranges(int[] bounds) {
            this.bounds = normalize(bounds);
            this.raw = null;
        }

        private Ranges(String raw) {
            this.bounds = new int[0];
            this.raw = raw;
        }

        static Ranges raw(String property) {
            return new Ranges(property);
        }

        private static int[] normalize(int[] b) {
            int n = b.length / 2;
            Integer[] order = new Integer[n];
            for (int k = 0; k < n; k++) {
                order[k] = k;
            }
            java.util.Arrays.sort(order, (x, y) -> Integer.compare(b[2 * x], b[2 * y]));
            List<int[]> merged = new ArrayList<>();
            for (int k : order) {
                int from = b[2 * k];
                int to = b[2 * k + 1];
                if (!merged.isEmpty() && from <= merged.get(merged.size() - 1)[1] + 1) {
                    int[] last = merged.get(merged.size() - 1);
                    last[1] = Math.max(last[1], to);
                } else {
                    merged.add(new int[] {from, to});
                }
            }
            int[] result = new int[merged.size() * 2];
            for (int k = 0; k < merged.size(); k++) {
                result[2 * k] = merged.get(k)[0];
                result[2 * k + 1] = merged.get(k)[1];
            }
            return result;
        }

        private List<String> raws() {
            return raw == null ? List.of() : List.of(raw);
        }

        Ranges union(Ranges other) {
            if (raw != null || other.raw != null) {
                return new Mixed(this, other);
            }
            int[] all = java.util.Arrays.copyOf(bounds, bounds.length + other.bounds.length);
            System.arraycopy(other.bounds, 0, all, bounds.length, other.bounds.length);
            return new Ranges(all);
        }

        Ranges complement() {
            if (raw != null) {
                throw new IllegalArgumentException("a property escape in a negated class set is not supported: " + raw);
            }
            List<Integer> out = new ArrayList<>();
            int next = 0;
            for (int k = 0; k < bounds.length; k += 2) {
                if (bounds[k] > next) {
                    out.add(next);
                    out.add(bounds[k] - 1);
                }
                next = bounds[k + 1] + 1;
            }
            if (next <= MAX) {
                out.add(next);
                out.add(MAX);
            }
            return new Ranges(out.stream().mapToInt(Integer::intValue).toArray());
        }

        Ranges intersect(Ranges other) {
            if (raw != null || other.raw != null) {
                throw new IllegalArgumentException("a property escape in a class set operation is not supported");
            }
            return complementOf(complement().union(other.complement()));
        }

        private static Ranges complementOf(Ranges r) {
            return r.complement();
        }

        String toRe2() {
            StringBuilder sb = new StringBuilder("[");
            appendItems(sb);
            if (sb.length() == 1) {
                return "[^\\x{0}-\\x{10ffff}]"; // the empty set: matches nothing
            }
            return sb.append(']').toString();
        }

        void appendItems(StringBuilder sb) {
            for (String r : raws()) {
                sb.append(r);
            }
            for (int k = 0; k < bounds.length; k += 2) {
                sb.append("\\x{").append(Integer.toHexString(bounds[k])).append('}');
                if (bounds[k + 1] != bounds[k]) {
                    sb.append("-\\x{").append(Integer.toHexString(bounds[k + 1])).append('}');
                }
            }
        }

        /** A union holding property escapes: kept as RE2 class items, never complemented or intersected. */
        private static final class Mixed extends Ranges {
            private final Ranges a;
            private final Ranges b;

            Mixed(Ranges a, Ranges b) {
                super(new int[0]);
                this.a = a;
                this.b = b;
            }

            @Override
            Ranges union(Ranges other) {
                return new Mixed(this, other);
            }

            @Override
            Ranges complement() {
                throw new IllegalArgumentException("a property escape in a negated class set is not supported");
            }

            @Override
            Ranges intersect(Ranges other) {
                throw new IllegalArgumentException("a property escape in a class set operation is not supported");
            }

            @Override
            void appendItems(StringBuilder sb) {
                a.appendItems(sb);
                b.appendItems(sb);
            }
        }
    }
}
