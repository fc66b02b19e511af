package dev.ssekit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that delays every byte sent to the service by a fixed time, in order, and
 * passes the answers at once: a store that answers slowly (every round trip the delay longer), as a
 * loaded database or a distant one does. For (t)'s bad day.
 */
final class SlowLink implements AutoCloseable {
    private final InetSocketAddress target;
    private final long delayNanos;
    private final ServerSocket listening;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    /** A chunk read from the client, due at the service at {@code dueNanos}. */
    private record Chunk(byte[] bytes, long dueNanos) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);

    SlowLink(InetSocketAddress target, long delayMillis) throws IOException {
        this.target = target;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "slow-link-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listening.getLocalPort();
    }

    private void accept() {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket service;
                try {
                    service = new Socket(target.getAddress(), target.getPort());
                } catch (IOException e) {
                    closeQuietly(client);
                    continue;
                }
                client.setTcpNoDelay(true);
                service.setTcpNoDelay(true);
                open.add(client);
                open.add(service);
                LinkedBlockingQueue<Chunk> due = new LinkedBlockingQueue<>();
                start("slow-link-read", () -> read(client, due));
                start("slow-link-send", () -> send(due, service));
                start("slow-link-answer", () -> copy(service, client));
            } catch (IOException e) {
                if (listening.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void read(Socket from, LinkedBlockingQueue<Chunk> due) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                due.add(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos));
            }
        } catch (IOException e) {
            // the client or the link closed
        } finally {
            due.add(END);
        }
    }

    private void send(LinkedBlockingQueue<Chunk> due, Socket to) {
        try (OutputStream out = to.getOutputStream()) {
            for (Chunk c; (c = due.take()) != END; ) {
                // The link's own delay, not a wait for anything: the chunk leaves when it is due.
                for (long wait; (wait = c.dueNanos - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
                out.write(c.bytes);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the service or the link closed
        } finally {
            closeQuietly(to);
        }
    }

    private void copy(Socket from, Socket to) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listening.close();
        for (Socket s : open) {
            closeQuietly(s);
        }
    }
}
