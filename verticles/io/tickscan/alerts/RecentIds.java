package io.tickscan.alerts;

import io.tickscan.codec.StableHash;

/**
 * The alert ids this node saw recently, for dedupe without Redis (or while Redis is away): at most
 * {@code capacity} ids, each for at most {@code ttlMs}, the oldest forgotten first. Not thread-safe: one event
 * loop uses it.
 *
 * <p>It keeps a 64-bit hash of each id, not the id, in arrays made once: a burst of alerts leaves nothing behind
 * for the collector to copy, where a map of strings kept every id of the last day alive. Two different ids with
 * the same hash would pass for one: with 64 bits and 100,000 ids remembered, the chance that an alert is taken
 * for another is about one in 10^14.
 */
final class RecentIds {
    private final int capacity;
    private final long ttlMs;
    /** The ring of remembered hashes, oldest at {@link #head}, and when each was last remembered. */
    private final long[] hashes;
    private final long[] seenAt;
    private int head;
    private int size;
    /** Open addressing with linear probing: ring slot + 1 of the hash placed there, 0 for none. */
    private final int[] table;
    private final int mask;

    RecentIds(int capacity, long ttlMs) {
        if (capacity < 1 || ttlMs < 1) {
            throw new IllegalArgumentException("capacity and ttl must be positive: " + capacity + ", " + ttlMs);
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.hashes = new long[capacity];
        this.seenAt = new long[capacity];
        int tableSize = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1; // load factor at most 1/2
        this.table = new int[tableSize];
        this.mask = tableSize - 1;
    }

    /** True when {@code id} was not seen within the ttl (nor forgotten for room); it is remembered from now. */
    boolean firstTime(String id, long now) {
        expire(now);
        long hash = StableHash.fnv1a(id);
        int at = find(hash);
        if (at >= 0 && now - seenAt[table[at] - 1] < ttlMs) {
            return false;
        }
        put(hash, at, now);
        return true;
    }

    /**
     * Remembers {@code id} as seen at {@code now}, whether or not it was seen before (Redis decided). One seen
     * before keeps its place in the order of forgetting for room, and its ttl starts again.
     */
    void remember(String id, long now) {
        expire(now);
        long hash = StableHash.fnv1a(id);
        put(hash, find(hash), now);
    }

    int size() {
        return size;
    }

    /** Sets the time of the hash at table index {@code at}, or adds {@code hash} when {@code at} is negative. */
    private void put(long hash, int at, long now) {
        if (at >= 0) {
            seenAt[table[at] - 1] = now;
            return;
        }
        if (size == capacity) {
            forgetOldest();
        }
        int slot = (head + size) % capacity;
        hashes[slot] = hash;
        seenAt[slot] = now;
        size++;
        int i = home(hash);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = slot + 1;
    }

    /**
     * Forgets the ids remembered longer than the ttl ago, oldest first; one whose ttl started again stops the walk,
     * and those after it are forgotten later (until then {@link #firstTime} finds them expired).
     */
    private void expire(long now) {
        while (size > 0 && now - seenAt[head] >= ttlMs) {
            forgetOldest();
        }
    }

    private void forgetOldest() {
        int i = home(hashes[head]);
        while (table[i] != head + 1) {
            i = (i + 1) & mask;
        }
        removeAt(i);
        head = (head + 1) % capacity;
        size--;
    }

    /** The table index holding {@code hash}, or -1. */
    private int find(long hash) {
        for (int i = home(hash); table[i] != 0; i = (i + 1) & mask) {
            if (hashes[table[i] - 1] == hash) {
                return i;
            }
        }
        return -1;
    }

    /** Empties table index {@code i}, moving back the entries after it that their probe would no longer reach. */
    private void removeAt(int i) {
        int gap = i;
        for (int j = (i + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int home = home(hashes[table[j] - 1]);
            boolean reachable = gap <= j ? gap < home && home <= j : gap < home || home <= j;
            if (!reachable) {
                table[gap] = table[j];
                gap = j;
            }
        }
        table[gap] = 0;
    }

    private int home(long hash) {
        return (int) StableHash.mix(hash) & mask;
    }
}
