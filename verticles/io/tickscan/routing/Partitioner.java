package io.tickscan.routing;

/**
 * The fixed, cluster-wide map from symbol to partition: the same on every node and every run, since it uses
 * only {@link String#hashCode()}, which the JDK specifies.
 */
public final class Partitioner {
    private final int partitions;

    /** @param partitions P, the cluster-wide number of partitions */
    public Partitioner(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1");
        }
        this.partitions = partitions;
    }

    /** Number of partitions. */
    public int partitions() {
        return partitions;
    }

    /** The partition of {@code symbol}, in {@code [0, P)}. */
    public int partitionOf(String symbol) {
        int h = symbol.hashCode();
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return Math.floorMod(h, partitions);
    }
}
