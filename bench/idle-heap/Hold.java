import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds N idle SSE streams of the embedded hub (one selector thread), reading whatever arrives; prints
 * "READY ok=.. bad=.." once every stream has its response head, then holds them until standard input
 * closes, and closes them with a reset. Usage: java Hold.java PORT N PATH (PATH with {i} for the index).
 */
public class Hold {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        String path = args[2];
        Selector selector = Selector.open();
        List<SocketChannel> channels = new ArrayList<>();
        int ok = 0;
        int bad = 0;
        int opened = 0;
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (ok + bad < n) {
            while (opened < n && opened - (ok + bad) < 200) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                String request = "GET " + path.replace("{i}", String.valueOf(opened)) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Accept: text/event-stream\r\n\r\n";
                c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, new StringBuilder());
                channels.add(c);
                opened++;
            }
            selector.select(1000);
            for (SelectionKey key : selector.selectedKeys()) {
                StringBuilder head = (StringBuilder) key.attachment();
                buffer.clear();
                int read;
                try {
                    read = ((SocketChannel) key.channel()).read(buffer);
                } catch (IOException e) {
                    read = -1;
                }
                if (read < 0) {
                    key.cancel();
                    if (head != null) {
                        bad++;
                    }
                    continue;
                }
                if (head != null) {
                    head.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
                    if (head.indexOf("\r\n\r\n") >= 0) {
                        if (head.toString().startsWith("HTTP/1.1 200")) {
                            ok++;
                        } else {
                            bad++;
                            System.err.println(head.substring(0, Math.min(300, head.length())));
                        }
                        key.attach(null);
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        System.out.println("READY ok=" + ok + " bad=" + bad);
        System.out.flush();
        Thread reader = new Thread(() -> {
            try {
                System.in.readAllBytes();
            } catch (IOException e) {
                // closed
            }
            selector.wakeup();
        });
        reader.setDaemon(true);
        reader.start();
        int closed = 0;
        while (reader.isAlive()) {
            selector.select(500);
            for (SelectionKey key : selector.selectedKeys()) {
                buffer.clear();
                int read;
                try {
                    read = ((SocketChannel) key.channel()).read(buffer);
                } catch (IOException e) {
                    read = -1;
                }
                if (read < 0) {
                    key.cancel();
                    closed++;
                }
            }
            selector.selectedKeys().clear();
        }
        System.out.println("closed by the server while held: " + closed);
        for (SocketChannel c : channels) {
            c.socket().setSoLinger(true, 0);
            c.close();
        }
    }
}
