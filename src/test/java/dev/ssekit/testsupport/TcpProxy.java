package dev.ssekit.testsupport;

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
 *
 * <p>Blackholed: the service goes silent, as behind a network partition or a half-open connection.
 * Every connection stays open and nothing is forwarded either way; what is sent meanwhile waits (in
 * the proxy and the sockets' buffers, as TCP keeps retransmitting it) and is delivered once
 * restored. New connections are accepted and held the same way.
 */
public final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final int port;
    private final ServerSocket listening;
    private volatile boolean cutOff;
    private boolean blackholed; // guarded by this

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

    /** Stops forwarding, both ways, on every connection open or new, and keeps them all open. */
    public synchronized void blackhole() {
        blackholed = true;
    }

    /** Lets connections through again, on the same port; what waited in a blackhole goes on. */
    public synchronized void restore() {
        cutOff = false;
        blackholed = false;
        notifyAll();
    }

    /** Waits while blackholed. */
    private synchronized void awaitForwarding() throws IOException {
        while (blackholed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted in the blackhole", e);
            }
        }
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
                    open.add(client);
                    // Its own thread: a connection held in a blackhole must not hold the next one.
                    Thread connecting = new Thread(() -> connect(client), "tcp-proxy-connect-" + port);
                    connecting.setDaemon(true);
                    connecting.start();
                } catch (IOException e) {
                    return; // closed by close()
                }
            }
        }, "tcp-proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** Connects a client to the service, once no blackhole holds it, and forwards both ways. */
    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            awaitForwarding();
            upstream.connect(target, 5000);
        } catch (IOException e) {
            reset(client);
            open.remove(client);
            return;
        }
        synchronized (this) {
            if (cutOff || client.isClosed()) { // cut meanwhile: this one must not outlive it
                reset(client);
                reset(upstream);
                open.remove(client);
                return;
            }
            open.add(upstream);
        }
        pump(client, upstream);
        pump(upstream, client);
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    awaitForwarding(); // what was read in a blackhole waits here, the rest in the socket
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
        synchronized (this) {
            blackholed = false; // wakes what waits in a blackhole, to find its connection reset
            notifyAll();
        }
        listening.close();
    }
}
