package io.tickscan.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionOwnersTest {

    @Test
    void everyPartitionHasOneOwnerAndTheTableDoesNotDependOnOrder() {
        PartitionOwners a = PartitionOwners.of(256, List.of("n1/s0", "n1/s1", "n2/s0"));
        PartitionOwners b = PartitionOwners.of(256, List.of("n2/s0", "n1/s1", "n1/s0"));
        int owned = 0;
        for (String id : List.of("n1/s0", "n1/s1", "n2/s0")) {
            owned += a.ownedBy(id).size();
            assertThat(a.ownedBy(id)).isEqualTo(b.ownedBy(id)).hasSizeBetween(50, 120);
        }
        assertThat(owned).isEqualTo(256);
    }

    @Test
    void whenAnInstanceLeavesOnlyItsPartitionsMove() {
        PartitionOwners before = PartitionOwners.of(256, List.of("a", "b", "c", "d"));
        PartitionOwners after = PartitionOwners.of(256, List.of("a", "b", "c"));
        for (int p = 0; p < 256; p++) {
            if (!before.ownerOf(p).equals("d")) {
                assertThat(after.ownerOf(p)).as("partition %d", p).isEqualTo(before.ownerOf(p));
            }
        }
    }

    @Test
    void symbolsSpreadOverPartitionsTheSameWayEveryTime() {
        Partitioner partitioner = new Partitioner(256);
        int[] counts = new int[256];
        for (int i = 0; i < 25_600; i++) {
            counts[partitioner.partitionOf("SYM" + i)]++;
        }
        assertThat(java.util.Arrays.stream(counts).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(50, 160));
        assertThat(partitioner.partitionOf("AAPL")).isEqualTo(new Partitioner(256).partitionOf("AAPL"));
    }
}
