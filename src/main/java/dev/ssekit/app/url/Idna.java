package dev.ssekit.app.url;

import java.net.IDN;
import java.text.Normalizer;
import java.util.Locale;

/**
 * The URL Standard's "domain to ASCII" with beStrict false: UTS #46 ToASCII with
 * Transitional_Processing, CheckHyphens, UseSTD3ASCIIRules and VerifyDnsLength off, CheckBidi and
 * CheckJoiners on. The JDK has no UTS #46 table, so the mapping and the validity checks are
 * approximated as {@link WhatwgUrl} documents.
 */
final class Idna {
    private static final int ZWNJ = 0x200C;
    private static final int ZWJ = 0x200D;

    private Idna() {
    }

    /** The ASCII form of a domain, or null on failure. */
    static String domainToAscii(String domain) {
        String result = isFastPath(domain) ? domain.toLowerCase(Locale.ROOT) : toAscii(domain);
        if (result == null || result.isEmpty()
                || result.codePoints().anyMatch(Hosts::isForbiddenDomainCodePoint)) {
            return null;
        }
        return result;
    }

    // ASCII with no label starting with "xn--": UTS #46 would only lower-case it.
    private static boolean isFastPath(String domain) {
        for (int i = 0; i < domain.length(); i++) {
            if (domain.charAt(i) >= 0x80) {
                return false;
            }
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.regionMatches(true, 0, "xn--", 0, 4)) {
                return false;
            }
        }
        return true;
    }

    private static String toAscii(String domain) {
        String mapped = map(domain);
        if (mapped == null) {
            return null;
        }
        String[] labels = Normalizer.normalize(mapped, Normalizer.Form.NFC).split("\\.", -1);
        String[] unicode = new String[labels.length];
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.startsWith("xn--")) {
                if (label.chars().anyMatch(ch -> ch >= 0x80)) {
                    return null;
                }
                String decoded = Punycode.decode(label.substring(4));
                // A decoded label must be one the mapping leaves as it is.
                if (decoded == null || decoded.isEmpty() || decoded.chars().allMatch(ch -> ch < 0x80)
                        || !decoded.equals(map(decoded)) || !isValid(decoded)) {
                    return null;
                }
                unicode[i] = decoded;
                out.append(label);
            } else {
                if (!isValid(label)) {
                    return null;
                }
                unicode[i] = label;
                if (label.chars().allMatch(ch -> ch < 0x80)) {
                    out.append(label);
                } else {
                    String encoded = Punycode.encode(label);
                    if (encoded == null) {
                        return null;
                    }
                    out.append("xn--").append(encoded);
                }
            }
            if (i < labels.length - 1) {
                out.append('.');
            }
        }
        if (!checkBidi(unicode)) {
            return null;
        }
        return out.toString();
    }

    /**
     * The UTS #46 mapping step, approximated: each code point lower-cased (Unicode full case
     * mapping, not case folding) and NFKC-normalized, twice so that compatibility forms of
     * upper-case letters end lower-case; the deviation characters kept, the ideographic full stops
     * mapped to '.', default-ignorable characters removed. Null for a code point that is
     * disallowed whatever its context (unpaired surrogates, noncharacters, private use).
     */
    static String map(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0xDF || cp == 0x3C2 || cp == ZWJ || cp == ZWNJ) {
                out.appendCodePoint(cp);
            } else if (cp == 0x3002 || cp == 0xFF0E || cp == 0xFF61) {
                out.append('.');
            } else if (cp == 0x1E9E) {
                out.append("ss");
            } else if (isIgnored(cp)) {
                continue;
            } else if (isDisallowed(cp)) {
                return null;
            } else if (cp < 0x80) {
                out.append((char) (cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp));
            } else {
                String m = Normalizer.normalize(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT),
                        Normalizer.Form.NFKC);
                m = Normalizer.normalize(m.toLowerCase(Locale.ROOT), Normalizer.Form.NFKC);
                out.append(m.replace('\u3002', '.'));
            }
        }
        return out.toString();
    }

    // UTS #46 maps these to nothing.
    private static boolean isIgnored(int cp) {
        return cp == 0xAD || cp == 0x34F || (cp >= 0x180B && cp <= 0x180F) || cp == 0x200B || cp == 0x2060
                || cp == 0x2064 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF
                || (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0xE0100 && cp <= 0xE01EF);
    }

    private static boolean isDisallowed(int cp) {
        int type = Character.getType(cp);
        return type == Character.SURROGATE || type == Character.PRIVATE_USE || type == Character.UNASSIGNED
                && ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF));
    }

    /**
     * The UTS #46 validity criteria for one label (with CheckHyphens off and CheckJoiners on);
     * the per-code-point status check is delegated to {@link IDN#toASCII}'s IDNA2003 prohibitions.
     */
    private static boolean isValid(String label) {
        if (label.isEmpty()) {
            return true;
        }
        if (!Normalizer.isNormalized(label, Normalizer.Form.NFC) || label.regionMatches(true, 0, "xn--", 0, 4)
                || label.indexOf('.') >= 0) {
            return false;
        }
        int first = label.codePointAt(0);
        int firstType = Character.getType(first);
        if (firstType == Character.NON_SPACING_MARK || firstType == Character.COMBINING_SPACING_MARK
                || firstType == Character.ENCLOSING_MARK) {
            return false;
        }
        int[] cps = label.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            if (isDisallowed(cps[i]) || cps[i] == 0xFFFD) {
                return false;
            }
            if ((cps[i] == ZWJ || cps[i] == ZWNJ) && !joinerAllowed(cps, i)) {
                return false;
            }
        }
        return passesIdna2003(label.replace("\u200C", "").replace("\u200D", ""));
    }

    // IDNA2003's prohibited code points stand in for UTS #46's "disallowed" status. Its other
    // failures are not UTS #46 rules with these flags: its bidi rule is replaced by checkBidi
    // (RFC 5893) and DNS length limits are off here.
    private static boolean passesIdna2003(String label) {
        if (label.isEmpty() || label.chars().allMatch(ch -> ch < 0x80)) {
            return true;
        }
        try {
            IDN.toASCII(label, IDN.ALLOW_UNASSIGNED);
            return true;
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return message.contains("bidi") || message.contains("too long");
        }
    }

    /**
     * CheckJoiners (RFC 5892 appendix A.1, A.2), approximated where the JDK has no Joining_Type:
     * a joining letter is a letter of a joining script (Arabic, Syriac, N'Ko,
     * Mongolian, Mandaic, Manichaean, Psalter Pahlavi, Phags-pa, Adlam, Hanifi Rohingya, Sogdian)
     * and a transparent one a nonspacing mark or format character.
     */
    private static boolean joinerAllowed(int[] cps, int i) {
        if (i > 0 && isVirama(cps[i - 1])) {
            return true;
        }
        if (cps[i] == ZWJ) {
            return false;
        }
        int before = i - 1;
        while (before >= 0 && isTransparent(cps[before])) {
            before--;
        }
        int after = i + 1;
        while (after < cps.length && isTransparent(cps[after])) {
            after++;
        }
        return before >= 0 && after < cps.length && isJoining(cps[before]) && isJoining(cps[after]);
    }

    /**
     * Whether the canonical combining class is 9 (Virama). The JDK does not expose combining
     * classes, but canonical reordering does: a mark with class 9 moves before one of class 8
     * (U+3099) and after one of class 10 (U+05B0), and no other class does both.
     */
    private static boolean isVirama(int cp) {
        String x = new String(Character.toChars(cp));
        if (!Normalizer.normalize(x, Normalizer.Form.NFD).equals(x)) {
            return false;
        }
        String before8 = "a" + x + "\u3099";
        String after10 = "a\u05B0" + x;
        return !Normalizer.normalize(before8, Normalizer.Form.NFD).equals(before8)
                && !Normalizer.normalize(after10, Normalizer.Form.NFD).equals(after10);
    }

    private static boolean isTransparent(int cp) {
        int type = Character.getType(cp);
        return cp != ZWJ && cp != ZWNJ && (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.FORMAT);
    }

    private static boolean isJoining(int cp) {
        if (!Character.isLetter(cp)) {
            return false;
        }
        switch (Character.UnicodeScript.of(cp)) {
            case ARABIC, SYRIAC, NKO, MONGOLIAN, MANDAIC, MANICHAEAN, PSALTER_PAHLAVI, PHAGS_PA, ADLAM,
                    HANIFI_ROHINGYA, SOGDIAN:
                return true;
            default:
                return false;
        }
    }

    /** CheckBidi: RFC 5893 section 2, applied to every label once any label is right-to-left. */
    private static boolean checkBidi(String[] labels) {
        boolean bidiDomain = false;
        for (String label : labels) {
            for (int cp : label.codePoints().toArray()) {
                byte d = Character.getDirectionality(cp);
                if (d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC
                        || d == Character.DIRECTIONALITY_ARABIC_NUMBER) {
                    bidiDomain = true;
                }
            }
        }
        if (!bidiDomain) {
            return true;
        }
        for (String label : labels) {
            if (!label.isEmpty() && !bidiRule(label.codePoints().toArray())) {
                return false;
            }
        }
        return true;
    }

    private static boolean bidiRule(int[] cps) {
        byte first = Character.getDirectionality(cps[0]);
        boolean rtl;
        if (first == Character.DIRECTIONALITY_RIGHT_TO_LEFT || first == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC) {
            rtl = true;
        } else if (first == Character.DIRECTIONALITY_LEFT_TO_RIGHT) {
            rtl = false;
        } else {
            return false;
        }
        int last = cps.length - 1;
        while (last > 0 && Character.getDirectionality(cps[last]) == Character.DIRECTIONALITY_NONSPACING_MARK) {
            last--;
        }
        byte end = Character.getDirectionality(cps[last]);
        boolean hasEn = false;
        boolean hasAn = false;
        for (int cp : cps) {
            byte d = Character.getDirectionality(cp);
            if (rtl) {
                // Rule 2: R, AL, AN, EN, ES, CS, ET, ON, BN, NSM only.
                if (!(d == Character.DIRECTIONALITY_RIGHT_TO_LEFT || d == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC
                        || d == Character.DIRECTIONALITY_ARABIC_NUMBER || d == Character.DIRECTIONALITY_EUROPEAN_NUMBER
                        || d == Character.DIRECTIONALITY_EUROPEAN_NUMBER_SEPARATOR
                        || d == Character.DIRECTIONALITY_COMMON_NUMBER_SEPARATOR
                        || d == Character.DIRECTIONALITY_EUROPEAN_NUMBER_TERMINATOR
                        || d == Character.DIRECTIONALITY_OTHER_NEUTRALS || d == Character.DIRECTIONALITY_BOUNDARY_NEUTRAL
                        || d == Character.DIRECTIONALITY_NONSPACING_MARK)) {
                    return false;
                }
                hasEn |= d == Character.DIRECTIONALITY_EUROPEAN_NUMBER;
                hasAn |= d == Character.DIRECTIONALITY_ARABIC_NUMBER;
            } else if (!(d == Character.DIRECTIONALITY_LEFT_TO_RIGHT || d == Character.DIRECTIONALITY_EUROPEAN_NUMBER
                    || d == Character.DIRECTIONALITY_EUROPEAN_NUMBER_SEPARATOR
                    || d == Character.DIRECTIONALITY_COMMON_NUMBER_SEPARATOR
                    || d == Character.DIRECTIONALITY_EUROPEAN_NUMBER_TERMINATOR
                    || d == Character.DIRECTIONALITY_OTHER_NEUTRALS || d == Character.DIRECTIONALITY_BOUNDARY_NEUTRAL
                    || d == Character.DIRECTIONALITY_NONSPACING_MARK)) {
                // Rule 5.
                return false;
            }
        }
        if (rtl) {
            // Rules 3 and 4.
            return (end == Character.DIRECTIONALITY_RIGHT_TO_LEFT || end == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC
                    || end == Character.DIRECTIONALITY_EUROPEAN_NUMBER || end == Character.DIRECTIONALITY_ARABIC_NUMBER)
                    && !(hasEn && hasAn);
        }
        // Rule 6.
        return end == Character.DIRECTIONALITY_LEFT_TO_RIGHT || end == Character.DIRECTIONALITY_EUROPEAN_NUMBER;
    }
}
