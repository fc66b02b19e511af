package dev.ssekit.internal.dispatch;

import dev.ssekit.Event;
import dev.ssekit.internal.wire.EncodedEvent;

import dev.ssekit.internal.wire.FramedEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The written form of recent events, shared by live fan-out and replay: a reconnect storm after a
 * restart encodes each replayed event once, not once per client. Bounded by the size of the data it
 * holds; the least recently used go first.
 */
final class EncodedEvents {
    private final long maxChars;
    private long chars;
    private final LinkedHashMap<String, Kept> byId = new LinkedHashMap<>(256, 0.75f, true);

    private record Kept(FramedEvent out, long chars) {
    }

    /** @param maxChars how much event data, in chars, the cache may hold */
    EncodedEvents(long maxChars) {
        this.maxChars = maxChars;
    }

    /** @return the written form of a stored event, made once while it stays in the cache */
    FramedEvent of(Event event) {
        String id = event.id().orElse(null);
        if (id == null) {
            return EncodedEvent.of(event);
        }
        synchronized (this) {
            Kept known = byId.get(id);
            if (known != null) {
                return known.out;
            }
        }
        FramedEvent made = EncodedEvent.of(event);
        long size = event.data().length();
        if (size > maxChars / 4) {
            return made; // too big to keep: it would push out a quarter of the cache
        }
        synchronized (this) {
            Kept raced = byId.putIfAbsent(id, new Kept(made, size));
            if (raced != null) {
                return raced.out;
            }
            chars += size;
            var it = byId.entrySet().iterator();
            while (chars > maxChars && it.hasNext()) {
                Map.Entry<String, Kept> oldest = it.next();
                chars -= oldest.getValue().chars;
                it.remove();
            }
        }
        return made;
    }
}
