package dev.ssekit.app.security;


import dev.ssekit.app.PlainText;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks {@code application/x-www-form-urlencoded} text (a form body or a query string) before the
 * container decodes it, so that broken input gets a 400 naming the field rather than whatever the
 * container does with it: every {@code %} must start two hex digits, and every decoded name and
 * value must be well-formed UTF-8.
 */
final class FormEncoding {
    private FormEncoding() {
    }

    /**
     * @param text  the encoded bytes
     * @param where names the part in messages ({@code form}, {@code query})
     * @return null if well formed, else the reason
     */
    static String problem(byte[] text, String where) {
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == '&') {
                String p = pairProblem(text, start, i, where);
                if (p != null) {
                    return p;
                }
                start = i + 1;
            }
        }
        return null;
    }

    private static String pairProblem(byte[] text, int from, int to, String where) {
        if (from == to) {
            return null;
        }
        int eq = from;
        while (eq < to && text[eq] != '=') {
            eq++;
        }
        byte[] name = decode(text, from, eq);
        String shownName = name == null ? null : PlainText.quote(new String(name, StandardCharsets.UTF_8));
        if (name == null) {
            return where + ": a field name has a % not followed by two hex digits";
        }
        if (!utf8(name)) {
            return where + ": a field name is not valid UTF-8";
        }
        if (eq < to) {
            byte[] value = decode(text, eq + 1, to);
            if (value == null) {
                return where + ": field " + shownName + " has a % not followed by two hex digits";
            }
            if (!utf8(value)) {
                return where + ": field " + shownName + " is not valid UTF-8";
            }
        }
        return null;
    }

    /** @return the percent-decoded bytes, or null if a {@code %} is not followed by two hex digits */
    private static byte[] decode(byte[] text, int from, int to) {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = text[i];
            if (b == '%') {
                if (i + 2 >= to) {
                    return null;
                }
                int hi = Character.digit(text[i + 1], 16);
                int lo = Character.digit(text[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = b == '+' ? (byte) ' ' : b;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static boolean utf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            decoder.decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
    /** @return a request body's bytes, or null as soon as there are more than {@code max} */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) != -1) {
            if (out.size() + n > max) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }


    /**
     * Checks a request's form body before the container reads it (publish, QUERY): its type, its size
     * (by {@code Content-Length} before reading when it is given, else as read) and its encoding,
     * then puts the checked bytes back for the container.
     *
     * @param method names the request in a refusal of its type ({@code publish}, {@code QUERY})
     * @return the refusal to answer with, or null when the body may be read
     */
    static Response refusal(ContainerRequestContext request, int max, String method) throws IOException {
        // A Content-Type that does not parse never gets here: RequestSyntaxFilter refused it before matching.
        MediaType type = request.getMediaType();
        if (type == null || !MediaType.APPLICATION_FORM_URLENCODED_TYPE.isCompatible(type)) {
            return text(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    method + ": Content-Type must be application/x-www-form-urlencoded");
        }
        String length = request.getHeaderString("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return text(Response.Status.BAD_REQUEST, "Content-Length: not a number");
            }
            if (declared > max) {
                return tooLarge("the body is " + declared + " bytes, over the limit of " + max);
            }
        }
        byte[] body = readAtMost(request.getEntityStream(), max);
        if (body == null) {
            return tooLarge("the body is over the limit of " + max + " bytes");
        }
        String problem = problem(body, "form");
        if (problem != null) {
            return text(Response.Status.BAD_REQUEST, problem);
        }
        request.setEntityStream(new ByteArrayInputStream(body));
        return null;
    }

    private static Response tooLarge(String what) {
        return text(Response.Status.REQUEST_ENTITY_TOO_LARGE, "form: " + what + " (" + SecuritySettings.MAX_FORM_SIZE + ")");
    }

    private static Response text(Response.Status status, String message) {
        return PlainText.text(status, message).build();
    }
}
