package io.tickscan.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Which scanner instance owns each partition: rendezvous (highest-random-weight) hashing over the live
 * instances. Every node computes the same table from the same set of instance ids, and when an instance joins or
 * leaves only the partitions won or lost by it move.
 */
public final class PartitionOwners {
    private final String[] owners;

    private PartitionOwners(String[] owners) {
        this.owners = owners;
    }

    /** The table for {@code partitions} partitions over {@code instances} (ids unique cluster-wide). */
    public static PartitionOwners of(int partitions, Collection<String> instances) {
        List<String> ids = new ArrayList<>(new TreeSet<>(instances));
        long[] seeds = ids.stream().mapToLong(PartitionOwners::seed).toArray();
        String[] owners = new String[partitions];
        for (int p = 0; p < partitions; p++) {
            long best = Long.MIN_VALUE;
            for (int j = 0; j < ids.size(); j++) {
                long weight = mix(seeds[j] ^ (p * 0x9E3779B97F4A7C15L));
                if (owners[p] == null || weight > best) {
                    best = weight;
                    owners[p] = ids.get(j);
                }
            }
        }
        return new PartitionOwners(owners);
    }

    /** The owner of partition {@code p}, or null when there is no instance. */
    public String ownerOf(int p) {
        return owners[p];
    }

    /** The partitions {@code instance} owns, ascending. */
    public List<Integer> ownedBy(String instance) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < owners.length; p++) {
            if (instance.equals(owners[p])) {
                out.add(p);
            }
        }
        return out;
    }

    private static long seed(String id) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the UTF-8 bytes: stable across JVMs
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
