package dev.ssekit.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange on a plain socket, bytes exactly as given: for requests no well-behaved
 * client would send (broken encodings, CR/LF in headers, lying Content-Length).
 */
public final class RawHttp {
    /** What came back; status 0 when the server closed without answering. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code head} (request line and headers, each ending CRLF, then CRLF) and {@code body}
     * with {@code Connection: close} expected in the head, and reads the answer.
     *
     * @param port    the server's port on 127.0.0.1
     * @param request the whole request
     * @param timeout how long to wait for the answer
     */
    public static Answer exchange(int port, byte[] request, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                // Nothing more will come: a server waiting for a body it was promised sees the end.
                socket.shutdownOutput();
            } catch (IOException e) {
                // The server may answer and close before taking a whole oversized body: read the answer.
            }
            boolean head = request.length > 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
            return read(socket.getInputStream(), head);
        }
    }

    /** @return a request with {@code Connection: close}, the given extra header lines and body */
    public static byte[] request(String method, String target, String extraHeaders, byte[] body) {
        String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extraHeaders
                + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return h;
        }
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        String status;
        try {
            status = line(in);
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer in time", e);
        }
        if (status == null || status.isEmpty()) {
            return new Answer(0, Map.of(), "");
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line(in)) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        String type = headers.getOrDefault("content-type", "");
        if (type.startsWith("text/event-stream") || head) {
            return new Answer(code, headers, ""); // a stream that would not end: the headers say enough
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            String size;
            while ((size = line(in)) != null) {
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                body.write(in.readNBytes(n));
                line(in);
            }
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        } else if (code != 204 && code != 304) {
            try {
                in.transferTo(body);
            } catch (SocketTimeoutException e) {
                // what came is what there is
            }
        }
        return new Answer(code, headers, body.toString(StandardCharsets.UTF_8));
    }

    /**
     * Reads one HTTP line (CRLF or LF), as ISO-8859-1 without its end.
     *
     * @return the line, what was left before the end of stream, or null at the end of stream
     */
    public static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
