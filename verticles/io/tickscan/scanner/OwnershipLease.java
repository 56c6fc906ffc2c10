package io.tickscan.scanner;

import java.util.function.LongSupplier;

/**
 * Whether this node may act as the owner of the partitions its scanners hold: scan them, publish their alerts and
 * write their checkpoints. The node's ownership verticle renews it at every look at the cluster (a few times a
 * second) while the node stands as a member; it lapses when it is not renewed for {@value #VALID_MS} ms (the
 * process was stopped, {@code SIGSTOP}, or starved) and when the node finds itself fenced (cut off from the
 * cluster, or removed from it while it was frozen). A scanner that wakes from a freeze before the ownership
 * verticle has looked at the cluster again thus finds the lease lapsed, and neither scans nor writes until the
 * cluster has said whether its partitions moved meanwhile.
 *
 * <p>Read from the scanners' threads, written from the ownership verticle's: its two fields are volatile.
 */
public final class OwnershipLease {
    /**
     * How long a renewal holds: seven times the ownership verticle's look at the cluster (a busy machine delays a
     * look by a second or two), and under the 4 s of silence (5 s without a heartbeat, sent every second) after
     * which the cluster may remove a member: a node stopped for longer than this may have lost its partitions.
     */
    public static final long VALID_MS = 3_500;
    private static final OwnershipLease UNCONDITIONAL = new OwnershipLease(null);

    private final LongSupplier nanos;
    private volatile long renewedAt;
    private volatile boolean standing = true;
    /** False once the node stops: its standing then holds without renewal while its scanners hand over. */
    private volatile boolean renewing = true;

    private OwnershipLease(LongSupplier nanos) {
        this.nanos = nanos;
        this.renewedAt = nanos == null ? 0 : nanos.getAsLong();
    }

    /** A lease on the given monotonic clock (nanoseconds, {@link System#nanoTime} outside tests), renewed now. */
    public static OwnershipLease renewedOn(LongSupplier nanos) {
        return new OwnershipLease(nanos);
    }

    /** A lease that always holds: a scanner run without an ownership verticle (tests, tools). */
    public static OwnershipLease unconditional() {
        return UNCONDITIONAL;
    }

    /** Renews the lease now: the node stands as a member and its look at the cluster ran on time. */
    public void renew() {
        if (nanos != null) {
            renewedAt = nanos.getAsLong();
            standing = true;
        }
    }

    /** Withdraws the lease until the next {@link #renew}: the node must not act as an owner meanwhile. */
    public void withdraw() {
        if (nanos != null) {
            standing = false;
        }
    }

    /**
     * Keeps the node's standing as it is, without renewal: the node is stopping, its ownership verticle is gone,
     * and its scanners still hand their partitions over (or not, when it was not a member).
     */
    public void keepStanding() {
        if (nanos != null) {
            standing = holds();
            renewing = false;
        }
    }

    /** True when the node may scan, publish and write as the owner of its partitions now. */
    public boolean holds() {
        return nanos == null
                || standing && (!renewing || nanos.getAsLong() - renewedAt <= VALID_MS * 1_000_000);
    }
}
