package dev.ssekit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback in front of a service (a database, Redis), that a test cuts and restores
 * to make the service unreachable for whoever connects through it, without touching the service
 * itself (other tests may be using it). Cut: every proxied connection is reset, and so is every
 * new one as soon as it is accepted. Restored: connections pass again. The port stays bound all
 * along: closed and bound again, another socket of a busy machine could take it meanwhile (seen in
 * CI: "Address already in use" at the restore).
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final int port;
    private final ServerSocket listening;
    private volatile boolean cutOff;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.port = listening.getLocalPort();
        accept();
    }

    /**
     * @param host the service's host (loopback)
     * @param port the service's port
     * @return a proxy listening on a free port of 127.0.0.1
     * @throws IOException if no port could be bound
     */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    /** @return the port clients connect to, the same after a {@link #restore()} */
    public int port() {
        return port;
    }

    /** Resets the open connections, and every new one from now on. */
    public synchronized void cut() {
        cutOff = true;
        for (Socket socket : open) {
            reset(socket);
        }
        open.clear();
    }

    /** Lets connections through again, on the same port. */
    public synchronized void restore() {
        cutOff = false;
    }

    private void accept() {
        Thread t = new Thread(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    if (cutOff) {
                        reset(client);
                        continue;
                    }
                    Socket upstream = new Socket();
                    try {
                        upstream.connect(target, 5000);
                    } catch (IOException e) {
                        reset(client);
                        continue;
                    }
                    synchronized (this) {
                        if (cutOff) { // cut meanwhile: this one must not outlive it
                            reset(client);
                            reset(upstream);
                            return;
                        }
                        open.add(client);
                        open.add(upstream);
                    }
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    return; // closed by close()
                }
            }
        }, "tcp-proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: end both
            } finally {
                reset(from);
                reset(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** Closes with a reset, as a dead peer or network does, rather than an orderly end. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
        listening.close();
    }
}
