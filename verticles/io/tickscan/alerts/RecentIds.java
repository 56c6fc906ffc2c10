package io.tickscan.alerts;

import io.tickscan.codec.StableHash;
import java.util.Arrays;

/**
 * The alert ids this node saw recently, for dedupe without Redis (or while Redis is away): at most
 * {@code capacity} ids, each for at most {@code ttlMs}, the one seen least recently forgotten first. Not
 * thread-safe: one event loop uses it.
 *
 * <p>It keeps a 64-bit hash of each id, not the id, in arrays made once: a burst of alerts leaves nothing behind
 * for the collector to copy, where a map of strings kept its last 100,000 id strings alive. Two different ids with
 * the same hash would pass for one: with 64 bits and 100,000 ids remembered, the chance that an alert is taken
 * for another is about one in 10^14.
 *
 * <p>The ids are a ring in the order they were last seen. An id seen again moves to the ring's end: its old place
 * is left dead, and the ring, twice the capacity long, is compacted when dead places fill it: after at least
 * {@code capacity} ids seen again, through two temporary arrays of the live ones, the only allocation after
 * construction.
 */
final class RecentIds {
    private final int capacity;
    private final long ttlMs;
    /** The ring: each place's hash, when it was last seen, and whether it was left for a later place. */
    private final long[] hashes;
    private final long[] seenAt;
    private final boolean[] dead;
    private int head;
    /** Places in use from {@link #head}, dead ones included. */
    private int used;
    /** Live ids. */
    private int size;
    /** Open addressing with linear probing over the live places: ring place + 1, 0 for none. */
    private final int[] table;
    private final int mask;

    RecentIds(int capacity, long ttlMs) {
        if (capacity < 1 || capacity > 1 << 28 || ttlMs < 1) {
            throw new IllegalArgumentException("capacity must be 1 to 2^28 and ttl positive: " + capacity + ", "
                    + ttlMs);
        }
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.hashes = new long[2 * capacity];
        this.seenAt = new long[2 * capacity];
        this.dead = new boolean[2 * capacity];
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
            return false; // as seen then: its ttl is not started again
        }
        see(hash, at, now);
        return true;
    }

    /** Remembers {@code id} as seen at {@code now}, whether or not it was seen before (Redis decided). */
    void remember(String id, long now) {
        expire(now);
        long hash = StableHash.fnv1a(id);
        see(hash, find(hash), now);
    }

    int size() {
        return size;
    }

    /** Puts {@code hash} at the ring's end as seen at {@code now}, leaving its place at table index {@code at}. */
    private void see(long hash, int at, long now) {
        if (at >= 0) {
            int place = table[at] - 1;
            removeAt(at);
            dead[place] = true;
            size--;
        }
        if (size == capacity) {
            forgetOldest();
        }
        if (used == hashes.length) {
            compact();
        }
        int place = (head + used) % hashes.length;
        hashes[place] = hash;
        seenAt[place] = now;
        dead[place] = false;
        used++;
        size++;
        insert(hash, place);
    }

    /** Forgets, from the ring's start, the ids last seen longer than the ttl ago, and dead places. */
    private void expire(long now) {
        while (used > 0 && (dead[head] || now - seenAt[head] >= ttlMs)) {
            popHead();
        }
    }

    /** Forgets the live id seen least recently, and the dead places before it. */
    private void forgetOldest() {
        while (dead[head]) {
            popHead();
        }
        popHead();
    }

    /** Takes the ring's first place away, its id out of the table if it is live. */
    private void popHead() {
        if (!dead[head]) {
            int i = home(hashes[head]);
            while (table[i] != head + 1) {
                i = (i + 1) & mask;
            }
            removeAt(i);
            size--;
        }
        head = (head + 1) % hashes.length;
        used--;
    }

    /** Moves the live places to the ring's start, in order, and indexes them again. */
    private void compact() {
        int n = hashes.length;
        long[] liveHashes = new long[size];
        long[] liveSeen = new long[size];
        int k = 0;
        for (int j = 0; j < used; j++) {
            int place = (head + j) % n;
            if (!dead[place]) {
                liveHashes[k] = hashes[place];
                liveSeen[k++] = seenAt[place];
            }
        }
        Arrays.fill(table, 0);
        Arrays.fill(dead, false);
        System.arraycopy(liveHashes, 0, hashes, 0, k);
        System.arraycopy(liveSeen, 0, seenAt, 0, k);
        head = 0;
        used = k;
        for (int place = 0; place < k; place++) {
            insert(hashes[place], place);
        }
    }

    private void insert(long hash, int place) {
        int i = home(hash);
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = place + 1;
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
