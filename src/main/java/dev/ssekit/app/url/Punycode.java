package dev.ssekit.app.url;

/**
 * Punycode (RFC 3492) for IDNA labels: the JDK only offers it inside {@link java.net.IDN}, which
 * applies IDNA2003 rules on top, so the bare algorithm is written here.
 */
final class Punycode {
    private static final int BASE = 36;
    private static final int TMIN = 1;
    private static final int TMAX = 26;
    private static final int SKEW = 38;
    private static final int DAMP = 700;
    private static final int INITIAL_BIAS = 72;
    private static final int INITIAL_N = 128;

    private Punycode() {
    }

    /** Encodes a label's code points; the caller adds "xn--". Returns null on overflow. */
    static String encode(String input) {
        int[] cps = input.codePoints().toArray();
        StringBuilder out = new StringBuilder();
        for (int cp : cps) {
            if (cp < 0x80) {
                out.append((char) cp);
            }
        }
        int basic = out.length();
        int handled = basic;
        if (basic > 0) {
            out.append('-');
        }
        int n = INITIAL_N;
        long delta = 0;
        int bias = INITIAL_BIAS;
        while (handled < cps.length) {
            int m = Integer.MAX_VALUE;
            for (int cp : cps) {
                if (cp >= n && cp < m) {
                    m = cp;
                }
            }
            delta += (long) (m - n) * (handled + 1);
            if (delta > Integer.MAX_VALUE) {
                return null;
            }
            n = m;
            for (int cp : cps) {
                if (cp < n && ++delta > Integer.MAX_VALUE) {
                    return null;
                }
                if (cp == n) {
                    long q = delta;
                    for (int k = BASE;; k += BASE) {
                        int t = k <= bias ? TMIN : Math.min(k - bias, TMAX);
                        if (q < t) {
                            break;
                        }
                        out.append(digit((int) (t + (q - t) % (BASE - t))));
                        q = (q - t) / (BASE - t);
                    }
                    out.append(digit((int) q));
                    bias = adapt((int) delta, handled + 1, handled == basic);
                    delta = 0;
                    handled++;
                }
            }
            delta++;
            n++;
        }
        return out.toString();
    }

    /** Decodes the part of a label after "xn--"; null if it is not valid Punycode. */
    static String decode(String input) {
        int end = input.lastIndexOf('-');
        StringBuilder out = new StringBuilder();
        int[] output = new int[input.length()];
        int length = 0;
        if (end > 0) {
            for (int i = 0; i < end; i++) {
                char ch = input.charAt(i);
                if (ch >= 0x80) {
                    return null;
                }
                output[length++] = ch;
            }
        }
        int n = INITIAL_N;
        long i = 0;
        int bias = INITIAL_BIAS;
        for (int in = end > 0 ? end + 1 : 0; in < input.length();) {
            long oldi = i;
            long w = 1;
            for (int k = BASE;; k += BASE) {
                if (in >= input.length()) {
                    return null;
                }
                int digit = value(input.charAt(in++));
                if (digit < 0) {
                    return null;
                }
                i += digit * w;
                if (i > Integer.MAX_VALUE) {
                    return null;
                }
                int t = k <= bias ? TMIN : Math.min(k - bias, TMAX);
                if (digit < t) {
                    break;
                }
                w *= BASE - t;
                if (w > Integer.MAX_VALUE) {
                    return null;
                }
            }
            bias = adapt((int) (i - oldi), length + 1, oldi == 0);
            n += (int) (i / (length + 1));
            i %= length + 1;
            if (n > Character.MAX_CODE_POINT || (n >= 0xD800 && n <= 0xDFFF)) {
                return null;
            }
            if (length == output.length) {
                output = java.util.Arrays.copyOf(output, length * 2 + 1);
            }
            System.arraycopy(output, (int) i, output, (int) i + 1, length - (int) i);
            output[(int) i] = n;
            length++;
            i++;
        }
        for (int k = 0; k < length; k++) {
            out.appendCodePoint(output[k]);
        }
        return out.toString();
    }

    private static int adapt(int delta, int numPoints, boolean first) {
        delta = first ? delta / DAMP : delta / 2;
        delta += delta / numPoints;
        int k = 0;
        while (delta > ((BASE - TMIN) * TMAX) / 2) {
            delta /= BASE - TMIN;
            k += BASE;
        }
        return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
    }

    private static char digit(int d) {
        return (char) (d < 26 ? 'a' + d : '0' + d - 26);
    }

    private static int value(char ch) {
        if (ch >= '0' && ch <= '9') {
            return ch - '0' + 26;
        }
        if (ch >= 'a' && ch <= 'z') {
            return ch - 'a';
        }
        if (ch >= 'A' && ch <= 'Z') {
            return ch - 'A';
        }
        return -1;
    }
}
