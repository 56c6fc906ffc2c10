package io.tickscan.node;

import static io.tickscan.node.ClusterStanding.State.FENCED;
import static io.tickscan.node.ClusterStanding.State.MEMBER;
import static io.tickscan.node.ClusterStanding.State.SUSPECT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterStandingTest {
    private static final Set<String> THREE = Set.of("a", "b", "c");
    private static final Set<String> TWO = Set.of("a", "b");
    private static final Set<String> ALONE = Set.of("a");

    private final ClusterStanding standing = new ClusterStanding();
    private long now = 1_000_000;

    /** Looks every 500 ms, as the ownership verticle does, for {@code ms}; returns the state after. */
    private ClusterStanding.State lookFor(long ms, Set<String> members) {
        ClusterStanding.State state = standing.state();
        for (long t = 0; t < ms; t += 500) {
            now += 500;
            state = standing.look(now, members);
        }
        return state;
    }

    /**
     * Looks every 500 ms for {@code ms}, the witness answering before each look that {@code othersAlive} are alive
     * in Redis; returns the state after.
     */
    private ClusterStanding.State lookFor(long ms, Set<String> members, Set<String> othersAlive) {
        ClusterStanding.State state = standing.state();
        for (long t = 0; t < ms; t += 500) {
            now += 500;
            standing.witnessed(now - 10, othersAlive);
            state = standing.look(now, members);
        }
        return state;
    }

    /** Three members look for 5 s, then this one is frozen 20 s and wakes alone: fenced. */
    private void frozenAndWokenAlone() {
        lookFor(5_000, THREE, Set.of("b", "c"));
        now += 20_000;
        assertThat(standing.look(now, ALONE)).isEqualTo(FENCED);
    }

    @Test
    @DisplayName("a standalone node is a member whatever the gaps between its looks")
    void standalone() {
        assertThat(standing.look(now, null)).isEqualTo(MEMBER);
        assertThat(standing.look(now + 60_000, null)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("looks on time in a steady cluster: a member")
    void steady() {
        assertThat(lookFor(30_000, THREE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("frozen 20 s, then alone (its peers removed it): suspect, fenced, and a member again after the merge")
    void frozenAndRemoved() {
        lookFor(5_000, THREE);
        now += 20_000;
        assertThat(standing.look(now, THREE)).isEqualTo(SUSPECT);
        now += 20;
        assertThat(standing.look(now, TWO)).isEqualTo(FENCED); // the first removal is enough
        now += 20;
        assertThat(standing.look(now, ALONE)).isEqualTo(FENCED);
        assertThat(lookFor(8_000, ALONE)).isEqualTo(FENCED);
        now += 100;
        assertThat(standing.look(now, THREE)).as("the merge: not yet steady").isEqualTo(FENCED);
        assertThat(standing.awaitsPeersRegistrations()).isTrue();
        assertThat(lookFor(1_000, THREE)).as("steady, but the peers' registrations not seen yet").isEqualTo(FENCED);
        standing.peersRegistered(false);
        assertThat(lookFor(3_000, THREE)).isEqualTo(FENCED);
        standing.peersRegistered(true);
        assertThat(standing.awaitsPeersRegistrations()).isFalse();
        assertThat(lookFor(100, THREE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("one of two, frozen, wakes alone: fenced (it cannot tell its removal from its peer's death)")
    void oneOfTwoFrozen() {
        lookFor(5_000, TWO);
        now += 20_000;
        assertThat(standing.look(now, TWO)).isEqualTo(SUSPECT);
        now += 200;
        assertThat(standing.look(now, ALONE)).isEqualTo(FENCED);
    }

    @Test
    @DisplayName("frozen a few seconds, and not removed: suspect while the cluster could say otherwise, then a member")
    void frozenButKept() {
        lookFor(5_000, THREE);
        now += 4_000;
        assertThat(standing.look(now, THREE)).isEqualTo(SUSPECT);
        assertThat(lookFor(2_500, THREE)).isEqualTo(SUSPECT);
        assertThat(lookFor(1_000, THREE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("a look late by less than the lease: still a member")
    void slightlyLate() {
        lookFor(5_000, THREE);
        now += 2_000;
        assertThat(standing.look(now, THREE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("peers dying one at a time leave the survivors members, down to the last one")
    void peersDieOneByOne() {
        lookFor(5_000, THREE);
        assertThat(lookFor(10_000, TWO)).isEqualTo(MEMBER);
        assertThat(lookFor(10_000, ALONE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("most of the cluster gone at once without a freeze (a leave, then a crash): still a member")
    void mostPeersGoneAtOnce() {
        lookFor(5_000, THREE);
        now += 500;
        assertThat(standing.look(now, TWO)).isEqualTo(MEMBER);
        now += 500;
        assertThat(standing.look(now, ALONE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("fenced and alone without a witness (no Redis): a member again after 15 s, taking its peers for dead")
    void fencedAndAloneWithoutWitness() {
        lookFor(5_000, THREE);
        now += 20_000;
        assertThat(standing.look(now, ALONE)).isEqualTo(FENCED);
        assertThat(lookFor(ClusterStanding.ALONE_MS - 1_000, ALONE)).isEqualTo(FENCED);
        assertThat(lookFor(1_000, ALONE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("a gap with no peers (a cluster of one) is not suspect: nobody could have taken its partitions")
    void gapAlone() {
        lookFor(5_000, ALONE);
        now += 20_000;
        assertThat(standing.look(now, ALONE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("fenced and alone while its peers' marks are fresh in Redis: it waits for the merge, past 15 s")
    void fencedAloneWhileOthersAlive() {
        frozenAndWokenAlone();
        assertThat(lookFor(60_000, ALONE, Set.of("b", "c"))).isEqualTo(FENCED);
        assertThat(standing.othersAlive(now)).containsExactlyInAnyOrder("b", "c");
        standing.peersRegistered(true);
        assertThat(lookFor(1_500, THREE, Set.of("b", "c"))).as("the merge, steady 1 s, its peers' registrations seen")
                .isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("fenced and alone with no other node's mark in Redis (its peers died): a member once its view held")
    void fencedAloneWithOthersDead() {
        frozenAndWokenAlone();
        assertThat(lookFor(ClusterStanding.STABLE_MS, ALONE, Set.of())).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("fenced and alone, its peers alive in Redis until their marks lapse: a member when they have")
    void fencedAloneUntilOthersDie() {
        frozenAndWokenAlone();
        assertThat(lookFor(20_000, ALONE, Set.of("b", "c"))).isEqualTo(FENCED);
        assertThat(lookFor(20_000, ALONE, Set.of("c"))).isEqualTo(FENCED);
        now += 500;
        standing.witnessed(now, Set.of());
        assertThat(standing.look(now, ALONE)).isEqualTo(MEMBER);
    }

    @Test
    @DisplayName("fenced and alone when Redis stops answering: 15 s after it last showed another node alive")
    void fencedAloneWitnessSilent() {
        frozenAndWokenAlone();
        assertThat(lookFor(20_000, ALONE, Set.of("b", "c"))).isEqualTo(FENCED);
        assertThat(standing.othersAlive(now + ClusterStanding.WITNESS_FRESH_MS + 1)).as("silent").isNull();
        assertThat(lookFor(ClusterStanding.ALONE_MS - 1_000, ALONE)).isEqualTo(FENCED);
        assertThat(lookFor(1_000, ALONE)).isEqualTo(MEMBER);
    }
}
