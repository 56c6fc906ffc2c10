package io.tickscan.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("partition ownership")
class PartitionOwnersTest {
    private static final String NODE_A = "5f0c6e2a-8d3b-4c71-9e4f-1a2b3c4d5e6f";
    private static final String NODE_B = "b7e1d9c4-2f6a-4b83-a5d0-6e7f8091a2b3";
    private static final List<String> THREE = List.of(NODE_A + "/scanner-0", NODE_A + "/scanner-1",
            NODE_B + "/scanner-0");

    @Test
    @DisplayName("a known membership gives a known table (a change here changes ownership across a rolling upgrade)")
    void knownTable() {
        PartitionOwners owners = PartitionOwners.of(256, THREE);

        assertThat(owners.ownerOf(0)).isEqualTo(NODE_B + "/scanner-0");
        assertThat(owners.ownerOf(1)).isEqualTo(NODE_A + "/scanner-1");
        assertThat(owners.ownerOf(255)).isEqualTo(NODE_A + "/scanner-1");
        assertThat(owners.ownedBy(NODE_A + "/scanner-0")).hasSize(86).startsWith(4, 5, 9, 12, 15, 19, 25, 26);
        assertThat(owners.ownedBy(NODE_A + "/scanner-1")).hasSize(85);
        assertThat(owners.ownedBy(NODE_B + "/scanner-0")).hasSize(85);
    }

    @Test
    @DisplayName("the table depends on the set of instance ids, not on their order or repetition")
    void independentOfOrder() {
        Random random = new Random(1);
        for (int trial = 0; trial < 20; trial++) {
            List<String> ids = membership(random, 1 + random.nextInt(64));
            List<String> shuffled = new ArrayList<>(ids);
            Collections.shuffle(shuffled, random);
            shuffled.add(ids.get(0));

            assertThat(table(256, shuffled)).isEqualTo(table(256, ids));
        }
    }

    @Test
    @DisplayName("two scanners of one node split 256 partitions 128 and 128 (plain rendezvous gave 109 and 147)")
    void twoInstances() {
        PartitionOwners owners = PartitionOwners.of(256, List.of(NODE_A + "/scanner-0", NODE_A + "/scanner-1"));

        assertThat(owners.ownedBy(NODE_A + "/scanner-0")).hasSize(128);
        assertThat(owners.ownedBy(NODE_A + "/scanner-1")).hasSize(128);
    }

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {64, 256, 1024})
    @DisplayName("every instance owns within 5% of the mean, rounded outwards, for 1 to 64 instances")
    void balanced(int partitions) {
        Random random = new Random(partitions);
        for (int n = 1; n <= 64; n++) {
            int low = (int) Math.floor(0.95 * partitions / n);
            int high = (int) Math.ceil(1.05 * partitions / n);
            for (int trial = 0; trial < 2; trial++) {
                List<String> ids = membership(random, n);
                PartitionOwners owners = PartitionOwners.of(partitions, ids);
                for (String id : ids) {
                    assertThat(owners.ownedBy(id)).as("%s of %d instances", id, n).hasSizeBetween(low, high)
                            .hasSizeBetween(partitions / n, (partitions + n - 1) / n);
                }
            }
        }
    }

    @Test
    @DisplayName("every partition is owned by a live instance, and by none when there is no instance")
    void ownedByLiveInstances() {
        Random random = new Random(2);
        for (int trial = 0; trial < 50; trial++) {
            List<String> ids = membership(random, 2 + random.nextInt(63));
            String leaver = ids.get(random.nextInt(ids.size()));
            List<String> rest = new ArrayList<>(ids);
            rest.remove(leaver);

            PartitionOwners after = PartitionOwners.of(256, rest);

            assertThat(table(256, ids)).allSatisfy(owner -> assertThat(ids).contains(owner));
            assertThat(table(256, rest)).allSatisfy(owner -> assertThat(rest).contains(owner));
            assertThat(after.ownedBy(leaver)).isEmpty();
            assertThat(rest.stream().mapToInt(id -> after.ownedBy(id).size()).sum()).isEqualTo(256);
        }
        assertThat(table(256, List.of())).containsOnlyNulls();
    }

    // The multiple, in these samples: join mean 2.18, worst 5.5; leave mean 2.24, worst 4.6 (over 2,000 memberships:
    // 2.27 and 2.23, worst 6.0, see the class's Javadoc). Plain rendezvous moves exactly the bound but fails the
    // balance above; a modulo over the sorted ids moves about 30 times it.
    @Test
    @DisplayName("when an instance joins, the partitions that change owner are at most 8 times the newcomer's share"
            + " and 2.75 times on average")
    void movementOnJoin() {
        Random random = new Random(3);
        double sum = 0;
        int trials = 300;
        for (int trial = 0; trial < trials; trial++) {
            List<String> ids = membership(random, 1 + random.nextInt(63));
            String newcomer = uuid(random) + "/scanner-0";
            List<String> joined = new ArrayList<>(ids);
            joined.add(newcomer);
            String[] before = table(256, ids);
            String[] after = table(256, joined);
            int share = (int) Arrays.stream(after).filter(newcomer::equals).count();
            int moved = moved(before, after);

            assertThat(moved).as("%d instances, then %s joins and owns %d", ids.size(), newcomer, share)
                    .isBetween(share, 8 * share);
            sum += (double) moved / Math.max(share, 1);
        }
        assertThat(sum / trials).isLessThan(2.75);
    }

    @Test
    @DisplayName("when an instance leaves, the partitions that change owner are at most 8 times the leaver's share"
            + " and 2.75 times on average")
    void movementOnLeave() {
        Random random = new Random(4);
        double sum = 0;
        int trials = 300;
        for (int trial = 0; trial < trials; trial++) {
            List<String> ids = membership(random, 2 + random.nextInt(63));
            String leaver = ids.get(random.nextInt(ids.size()));
            List<String> rest = new ArrayList<>(ids);
            rest.remove(leaver);
            String[] before = table(256, ids);
            String[] after = table(256, rest);
            int share = (int) Arrays.stream(before).filter(leaver::equals).count();
            int moved = moved(before, after);

            assertThat(moved).as("%d instances, then %s leaves, which owned %d", ids.size(), leaver, share)
                    .isBetween(share, 8 * share);
            sum += (double) moved / Math.max(share, 1);
        }
        assertThat(sum / trials).isLessThan(2.75);
    }

    @Test
    @DisplayName("symbols spread over partitions the same way every time")
    void symbolsSpreadOverPartitionsTheSameWayEveryTime() {
        Partitioner partitioner = new Partitioner(256);
        int[] counts = new int[256];
        for (int i = 0; i < 25_600; i++) {
            counts[partitioner.partitionOf("SYM" + i)]++;
        }
        assertThat(Arrays.stream(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(50, 160));
        // pinned: every node and every version must send a symbol to the same partition
        assertThat(partitioner.partitionOf("AAPL")).isEqualTo(13);
        assertThat(partitioner.partitionOf("MSFT")).isEqualTo(220);
    }

    /** {@code n} instances spread over nodes of 1 to 8 scanners, with ids {@code <uuid>/scanner-<k>}. */
    private static List<String> membership(Random random, int n) {
        List<String> ids = new ArrayList<>();
        while (ids.size() < n) {
            String node = uuid(random);
            int scanners = 1 + random.nextInt(8);
            for (int k = 0; k < scanners && ids.size() < n; k++) {
                ids.add(node + "/scanner-" + k);
            }
        }
        return ids;
    }

    /** A version-4 UUID drawn from {@code random}, so that the memberships are the same on every run. */
    private static String uuid(Random random) {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    private static String[] table(int partitions, List<String> ids) {
        PartitionOwners owners = PartitionOwners.of(partitions, ids);
        String[] table = new String[partitions];
        for (int p = 0; p < partitions; p++) {
            table[p] = owners.ownerOf(p);
        }
        return table;
    }

    private static int moved(String[] before, String[] after) {
        int moved = 0;
        for (int p = 0; p < before.length; p++) {
            if (!before[p].equals(after[p])) {
                moved++;
            }
        }
        return moved;
    }
}
