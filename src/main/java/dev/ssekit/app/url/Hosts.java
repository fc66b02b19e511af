package dev.ssekit.app.url;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The URL Standard's host parser and serializer: domains (through {@link Idna}), IPv4 addresses in
 * all the number forms the standard accepts, IPv6 addresses, and opaque hosts. A parsed host is
 * kept only in its serialized form, which is all the URL parser needs.
 */
final class Hosts {
    private Hosts() {
    }

    /** The host parser: the serialized host, or null on failure. */
    static String parse(String input, boolean isOpaque) {
        if (input.startsWith("[")) {
            if (!input.endsWith("]") || input.length() < 2) {
                return null;
            }
            int[] address = parseIpv6(input.substring(1, input.length() - 1));
            return address == null ? null : "[" + serializeIpv6(address) + "]";
        }
        if (isOpaque) {
            return parseOpaque(input);
        }
        String domain;
        try {
            // Decoding that fails is the same failure domain to ASCII reports on U+FFFD.
            domain = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(PercentEncoding.decode(input))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        String ascii = Idna.domainToAscii(domain);
        if (ascii == null) {
            return null;
        }
        if (endsInANumber(ascii)) {
            long ipv4 = parseIpv4(ascii);
            return ipv4 < 0 ? null : serializeIpv4(ipv4);
        }
        return ascii;
    }

    /** Whether a code point is a forbidden host code point. */
    static boolean isForbiddenHostCodePoint(int cp) {
        switch (cp) {
            case 0x00, 0x09, 0x0A, 0x0D, ' ', '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
                return true;
            default:
                return false;
        }
    }

    /** Whether a code point is a forbidden domain code point. */
    static boolean isForbiddenDomainCodePoint(int cp) {
        return isForbiddenHostCodePoint(cp) || cp <= 0x1F || cp == '%' || cp == 0x7F;
    }

    private static String parseOpaque(String input) {
        if (input.codePoints().anyMatch(Hosts::isForbiddenHostCodePoint)) {
            return null;
        }
        return PercentEncoding.C0_CONTROL.encode(input);
    }

    static boolean endsInANumber(String input) {
        String[] parts = input.split("\\.", -1);
        int last = parts.length - 1;
        if (parts[last].isEmpty()) {
            if (parts.length == 1) {
                return false;
            }
            last--;
        }
        String part = parts[last];
        if (!part.isEmpty() && part.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return true;
        }
        return parseIpv4Number(part) >= 0;
    }

    /** The IPv4 parser: the address as an unsigned 32-bit value, or -1 on failure. */
    static long parseIpv4(String input) {
        String[] parts = input.split("\\.", -1);
        int size = parts.length;
        if (parts[size - 1].isEmpty() && size > 1) {
            size--;
        }
        if (size > 4) {
            return -1;
        }
        long[] numbers = new long[size];
        for (int i = 0; i < size; i++) {
            numbers[i] = parseIpv4Number(parts[i]);
            if (numbers[i] < 0) {
                return -1;
            }
        }
        for (int i = 0; i < size - 1; i++) {
            if (numbers[i] > 255) {
                return -1;
            }
        }
        if (numbers[size - 1] >= 1L << (8 * (5 - size))) {
            return -1;
        }
        long ipv4 = numbers[size - 1];
        for (int i = 0; i < size - 1; i++) {
            ipv4 += numbers[i] << (8 * (3 - i));
        }
        return ipv4;
    }

    /**
     * The IPv4 number parser: the value (capped above 2^32, which every caller rejects), or -1 on
     * failure.
     */
    static long parseIpv4Number(String input) {
        if (input.isEmpty()) {
            return -1;
        }
        int radix = 10;
        int start = 0;
        if (input.length() >= 2 && (input.startsWith("0x") || input.startsWith("0X"))) {
            radix = 16;
            start = 2;
        } else if (input.length() >= 2 && input.charAt(0) == '0') {
            radix = 8;
            start = 1;
        }
        long value = 0;
        for (int i = start; i < input.length(); i++) {
            int digit = Character.digit(input.charAt(i), radix);
            if (digit < 0 || input.charAt(i) > 0x7F) {
                return -1;
            }
            // Keep going to validate the digits, but stop growing: the parser rejects it anyway.
            value = Math.min(value * radix + digit, 1L << 40);
        }
        return value;
    }

    static String serializeIpv4(long address) {
        return (address >> 24 & 0xFF) + "." + (address >> 16 & 0xFF) + "." + (address >> 8 & 0xFF) + "."
                + (address & 0xFF);
    }

    /** The IPv6 parser: eight 16-bit pieces, or null on failure. */
    static int[] parseIpv6(String s) {
        int[] address = new int[8];
        int[] input = s.codePoints().toArray();
        int n = input.length;
        int pieceIndex = 0;
        int compress = -1;
        int p = 0;
        if (at(input, p) == ':') {
            if (at(input, p + 1) != ':') {
                return null;
            }
            p += 2;
            pieceIndex++;
            compress = pieceIndex;
        }
        while (p < n) {
            if (pieceIndex == 8) {
                return null;
            }
            if (at(input, p) == ':') {
                if (compress != -1) {
                    return null;
                }
                p++;
                pieceIndex++;
                compress = pieceIndex;
                continue;
            }
            int value = 0;
            int length = 0;
            while (length < 4 && PercentEncoding.hex(at(input, p)) >= 0) {
                value = value * 0x10 + PercentEncoding.hex(at(input, p));
                p++;
                length++;
            }
            if (at(input, p) == '.') {
                if (length == 0) {
                    return null;
                }
                p -= length;
                if (pieceIndex > 6) {
                    return null;
                }
                int numbersSeen = 0;
                while (p < n) {
                    int ipv4Piece = -1;
                    if (numbersSeen > 0) {
                        if (at(input, p) == '.' && numbersSeen < 4) {
                            p++;
                        } else {
                            return null;
                        }
                    }
                    if (!isDigit(at(input, p))) {
                        return null;
                    }
                    while (isDigit(at(input, p))) {
                        int number = at(input, p) - '0';
                        if (ipv4Piece == -1) {
                            ipv4Piece = number;
                        } else if (ipv4Piece == 0) {
                            return null;
                        } else {
                            ipv4Piece = ipv4Piece * 10 + number;
                        }
                        if (ipv4Piece > 255) {
                            return null;
                        }
                        p++;
                    }
                    address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece;
                    numbersSeen++;
                    if (numbersSeen == 2 || numbersSeen == 4) {
                        pieceIndex++;
                    }
                }
                if (numbersSeen != 4) {
                    return null;
                }
                break;
            } else if (at(input, p) == ':') {
                p++;
                if (p >= n) {
                    return null;
                }
            } else if (p < n) {
                return null;
            }
            address[pieceIndex] = value;
            pieceIndex++;
        }
        if (compress != -1) {
            int swaps = pieceIndex - compress;
            pieceIndex = 7;
            while (pieceIndex != 0 && swaps > 0) {
                int tmp = address[pieceIndex];
                address[pieceIndex] = address[compress + swaps - 1];
                address[compress + swaps - 1] = tmp;
                pieceIndex--;
                swaps--;
            }
        } else if (pieceIndex != 8) {
            return null;
        }
        return address;
    }

    /** The IPv6 serializer: the first longest run of two or more zero pieces becomes "::". */
    static String serializeIpv6(int[] address) {
        int compress = -1;
        int longest = 1;
        for (int i = 0; i < 8;) {
            if (address[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && address[j] == 0) {
                j++;
            }
            if (j - i > longest) {
                longest = j - i;
                compress = i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        boolean ignore0 = false;
        for (int i = 0; i < 8; i++) {
            if (ignore0 && address[i] == 0) {
                continue;
            }
            ignore0 = false;
            if (compress == i) {
                out.append(i == 0 ? "::" : ":");
                ignore0 = true;
                continue;
            }
            out.append(Integer.toHexString(address[i]));
            if (i != 7) {
                out.append(':');
            }
        }
        return out.toString();
    }

    private static int at(int[] input, int p) {
        return p < input.length ? input[p] : -1;
    }

    private static boolean isDigit(int cp) {
        return cp >= '0' && cp <= '9';
    }
}
