package dev.ssekit.arquillian;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A subscriber that reads the response head and then stops reading, on a socket with a 4 KB
 * receive buffer: what a stalled mobile client is to the server. Raw, so that the test decides when
 * (and whether) anything more is read.
 */
final class StalledClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    /** How a read to the end finished. */
    enum End { EOF, RESET, STILL_OPEN }

    /** What a read to the end found. */
    record Ending(End end, String text) {
    }

    private StalledClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    /** Subscribes to the hub with {@code query} and returns once the response head has arrived. */
    static StalledClient open(URI hub, String query, Duration timeout) throws IOException {
        return openStream(hub.resolve(".well-known/mercure?" + query), timeout);
    }

    /** Opens the event stream at {@code uri} and returns once the response head has arrived. */
    static StalledClient openStream(URI uri, Duration timeout) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), (int) timeout.toMillis());
        s.setSoTimeout((int) timeout.toMillis());
        String target = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + uri.getPort() + "\r\nAccept: text/event-stream\r\n\r\n";
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        StalledClient c = new StalledClient(s);
        c.readHead();
        return c;
    }

    private void readHead() throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed before the response head ended");
            }
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
    }

    /** @return the client's own port, which names its connection on the server's side */
    int localPort() {
        return socket.getLocalPort();
    }

    /**
     * Reads everything the server still sends, until it closes the connection or nothing comes for
     * {@code idle}: a cut client sees its buffered bytes, then the end.
     */
    Ending readToEnd(Duration idle) throws IOException {
        socket.setSoTimeout((int) idle.toMillis());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                text.write(buffer, 0, n);
            }
            return new Ending(End.EOF, text.toString(StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            return new Ending(End.STILL_OPEN, text.toString(StandardCharsets.UTF_8));
        } catch (SocketException e) {
            return new Ending(End.RESET, text.toString(StandardCharsets.UTF_8));
        }
    }

    /** Reads {@code n} bytes of what the server sent, then stops again. */
    void readSome(int n) throws IOException {
        in.readNBytes(n);
    }

    /** Leaves with a reset, as a client that vanishes with unread data does. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * @return true while the server holds its side of the connection from {@code clientPort} to
     *         {@code serverPort} open (ESTABLISHED or CLOSE_WAIT in the kernel's table; Linux only)
     */
    static boolean serverSideOpen(int serverPort, int clientPort) throws IOException {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4 || !f[1].contains(":")) {
                    continue;
                }
                int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                if (local == serverPort && remote == clientPort && (f[3].equals("01") || f[3].equals("08"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
