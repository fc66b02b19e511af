package dev.ssekit.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's heap high-water marks during the reconnect storm: the used heap sampled every 5 ms
 * (garbage included, so it also shows how far G1 let the heap grow), and the largest heap left after
 * any collection (closest to the live set the storm needed).
 */
final class HeapWatch {
    private static final AtomicLong PEAK_USED = new AtomicLong();
    private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();
    private static final AtomicLong GCS = new AtomicLong();
    private static volatile boolean watching;
    private static volatile Thread sampler;
    private static final NotificationListener LISTENER = (n, handback) -> {
        if (!watching || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long after = 0;
        for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
            after += u.getUsed();
        }
        PEAK_AFTER_GC.accumulateAndGet(after, Math::max);
        GCS.incrementAndGet();
    };

    static {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(LISTENER, null, null);
        }
    }

    private HeapWatch() {
    }

    static synchronized void start() {
        stopSampler();
        PEAK_USED.set(0);
        PEAK_AFTER_GC.set(0);
        GCS.set(0);
        watching = true;
        Thread t = new Thread(() -> {
            var mem = ManagementFactory.getMemoryMXBean();
            while (watching) {
                PEAK_USED.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-watch");
        t.setDaemon(true);
        t.start();
        sampler = t;
    }

    static synchronized String stop() {
        watching = false;
        stopSampler();
        return "peakUsed=" + PEAK_USED.get() + " peakAfterGc=" + PEAK_AFTER_GC.get() + " gcs=" + GCS.get();
    }

    private static void stopSampler() {
        Thread t = sampler;
        if (t != null) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sampler = null;
    }
}
