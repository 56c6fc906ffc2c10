package io.tickscan.alerts;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The alert ids this node saw recently, for dedupe without Redis (or while Redis is away): at most
 * {@code capacity} ids, each for at most {@code ttlMs}, the oldest forgotten first. Not thread-safe: one event
 * loop uses it.
 */
final class RecentIds {
    private final int capacity;
    private final long ttlMs;
    /** Id to when it was first seen, oldest first. */
    private final LinkedHashMap<String, Long> seen;

    RecentIds(int capacity, long ttlMs) {
        if (capacity < 1 || ttlMs < 1) {
            throw new IllegalArgumentException("capacity and ttl must be positive: " + capacity + ", " + ttlMs);
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.seen = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 2, 0.75f);
    }

    /** True when {@code id} was not seen within the ttl (nor forgotten for room); it is remembered from now. */
    boolean firstTime(String id, long now) {
        expire(now);
        if (seen.containsKey(id)) {
            return false;
        }
        remember(id, now);
        return true;
    }

    /** Remembers {@code id} as seen at {@code now}, whether or not it was seen before (Redis decided). */
    void remember(String id, long now) {
        expire(now);
        seen.remove(id);
        seen.put(id, now);
        if (seen.size() > capacity) {
            Iterator<String> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    int size() {
        return seen.size();
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Long>> oldest = seen.entrySet().iterator();
        while (oldest.hasNext()) {
            if (now - oldest.next().getValue() < ttlMs) {
                return;
            }
            oldest.remove();
        }
    }
}
