package dev.ssekit.bench;

import dev.ssekit.Event;
import dev.ssekit.Hub;
import dev.ssekit.app.embedded.EmbeddedHub;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server JVM of the publish scenario: the embedded hub exactly as {@code EmbeddedHub} starts it
 * (its history store chosen by the {@code ssekit.history.*} system properties the driver passes), plus
 * a command channel on standard input/output, so that no port and no resource is added to the hub:
 * <ul>
 * <li>{@code inproc <threads> <warmupMs> <measureMs> <topic>}: that many threads call
 *     {@code topics.publish} in a loop; answers {@code OK <published while measured> <published in all> <errors> [first error]};</li>
 * <li>{@code heap}: answers {@code OK <used heap after GC>}.</li>
 * </ul>
 * Prints {@code READY <port>} once listening, and stops (ending every stream) when standard input closes.
 * The hub is the embedded hub's own ({@code EmbeddedHub.hub()}; commits before the API move are
 * measured with the harness of 3fc2971, see bench/run).
 */
public final class PubServer {
    private PubServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EmbeddedHub hub = EmbeddedHub.start("127.0.0.1", port);
        Hub topics = hub.hub();
        System.out.println("READY " + hub.uri().getPort() + " " + topics.history());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            String answer;
            try {
                answer = switch (w[0]) {
                    case "inproc" -> inProcess(topics, Integer.parseInt(w[1]), Long.parseLong(w[2]),
                            Long.parseLong(w[3]), w[4]);
                    case "heap" -> {
                        System.gc();
                        yield "OK " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    }
                    default -> "ERR unknown command " + w[0];
                };
            } catch (Exception e) {
                answer = "ERR " + e;
            }
            System.out.println(answer.replace('\n', ' '));
            System.out.flush();
        }
        hub.close();
        System.exit(0);
    }

    /** N threads publish 200-byte events to {@code topic} as fast as {@code publish} returns. */
    private static String inProcess(Hub topics, int threads, long warmupMs, long measureMs, String topic)
            throws InterruptedException {
        AtomicLong total = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + warmupMs * 1_000_000L;
        long end = measureFrom + measureMs * 1_000_000L;
        // Counted by the publishers as they complete: a sampling thread could be starved by 64 busy ones.
        AtomicLong inWindow = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> all = new ArrayList<>();
        Set<String> target = Set.of(topic);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        long now = System.nanoTime();
                        if (now >= end) {
                            break;
                        }
                        try {
                            topics.publish(target, Event.of(PubData.json(now)));
                            total.incrementAndGet();
                            long completed = System.nanoTime();
                            if (completed >= measureFrom && completed < end) {
                                inWindow.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.toString());
                        }
                    }
                } finally {
                    done.countDown();
                }
            }, "bench-inproc-" + i);
            all.add(t);
            t.start();
        }
        done.await();
        return "OK " + inWindow.get() + " " + total.get() + " " + errors.get()
                + (firstError.get() == null ? "" : " " + firstError.get());
    }
}
