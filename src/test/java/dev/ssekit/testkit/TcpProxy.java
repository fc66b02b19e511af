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
 * itself (other tests may be using it). Cut: the listening port is closed and every proxied
 * connection is reset, so new connections are refused. Restored: the same port listens again.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final int port;
    private volatile ServerSocket listening;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listening = bind(0);
        this.port = listening.getLocalPort();
        accept(listening);
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

    /** Refuses new connections and resets the open ones. */
    public synchronized void cut() throws IOException {
        ServerSocket s = listening;
        listening = null;
        if (s != null) {
            s.close();
        }
        for (Socket socket : open) {
            reset(socket);
        }
        open.clear();
    }

    /** Listens again on the same port. */
    public synchronized void restore() throws IOException {
        if (listening == null) {
            listening = bind(port);
            accept(listening);
        }
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void accept(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    try {
                        upstream.connect(target, 5000);
                    } catch (IOException e) {
                        reset(client);
                        continue;
                    }
                    synchronized (this) {
                        if (listening != server) { // cut meanwhile: this one must not outlive it
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
                    return; // closed by cut() or close()
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
    }
}
