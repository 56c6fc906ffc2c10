package io.tickscan.web.ws;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One client's alerts waiting for its next frame: a ring of at most {@code capacity} shared alerts that grows on
 * demand (most clients hold a few; 10,000 clients must not each hold {@code http.ws.queue_alerts} slots). When
 * full, the oldest goes and is counted as dropped.
 */
final class PendingAlerts {
    private static final int INITIAL = 16;
    private final int capacity;
    private EncodedAlert[] ring;
    private int head;
    private int size;
    private long dropped;

    PendingAlerts(int capacity) {
        this.capacity = capacity;
        ring = new EncodedAlert[Math.min(INITIAL, capacity)];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds {@code alert} as the newest, dropping the oldest when full. */
    void add(EncodedAlert alert) {
        if (size == ring.length) {
            if (ring.length < capacity) {
                grow();
            } else {
                ring[head] = null;
                head = (head + 1) % ring.length;
                size--;
                dropped++;
            }
        }
        ring[(head + size) % ring.length] = alert;
        size++;
    }

    /** The alerts dropped since the last call; resets the count. */
    long takeDropped() {
        long taken = dropped;
        dropped = 0;
        return taken;
    }

    boolean hasDropped() {
        return dropped > 0;
    }

    /** Appends the JSON of the {@code n} oldest alerts, comma-separated, to {@code out}, and removes them. */
    void drainJson(int n, StringBuilder out) {
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(ring[head].json());
            ring[head] = null;
            head = (head + 1) % ring.length;
        }
        size -= n;
    }

    /** Removes and returns every alert, oldest first (the dropped count stays). */
    List<EncodedAlert> takeAll() {
        List<EncodedAlert> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(ring[(head + i) % ring.length]);
        }
        long keep = dropped;
        clear();
        dropped = keep;
        return all;
    }

    /** Removes every alert and forgets the dropped count. */
    void clear() {
        Arrays.fill(ring, null);
        head = 0;
        size = 0;
        dropped = 0;
    }

    /** Keeps only the alerts that pass {@code subscription}, in order. */
    void retain(Subscription subscription) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            EncodedAlert alert = ring[(head + i) % ring.length];
            if (subscription.passes(alert.alert())) {
                ring[(head + kept) % ring.length] = alert;
                kept++;
            }
        }
        for (int i = kept; i < size; i++) {
            ring[(head + i) % ring.length] = null;
        }
        size = kept;
    }

    private void grow() {
        EncodedAlert[] bigger = new EncodedAlert[(int) Math.min((long) ring.length * 2, capacity)];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }
}
