package io.tickscan.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the in-memory dedupe of alert ids")
class RecentIdsTest {

    @Test
    @DisplayName("lets an id through once within its ttl, and again once the ttl has passed")
    void onceWithinTheTtl() {
        RecentIds ids = new RecentIds(10, 1000);
        assertThat(ids.firstTime("r:A:1", 0)).isTrue();
        assertThat(ids.firstTime("r:A:1", 999)).isFalse();
        assertThat(ids.firstTime("r:B:1", 999)).isTrue();
        assertThat(ids.firstTime("r:A:1", 1000)).isTrue();
        assertThat(ids.size()).isEqualTo(2);
    }

    @Test
    @DisplayName("keeps at most its capacity, forgetting the oldest first")
    void boundedOldestForgottenFirst() {
        RecentIds ids = new RecentIds(3, 60_000);
        for (int i = 0; i < 5; i++) {
            assertThat(ids.firstTime("id" + i, i)).isTrue();
        }
        assertThat(ids.size()).isEqualTo(3);
        assertThat(ids.firstTime("id4", 10)).isFalse();
        assertThat(ids.firstTime("id2", 10)).isFalse();
        assertThat(ids.firstTime("id0", 10)).isTrue();
    }

    @Test
    @DisplayName("remembers what Redis decided, so that an outage right after does not publish it again")
    void remembersWhatRedisDecided() {
        RecentIds ids = new RecentIds(10, 1000);
        ids.remember("r:A:1", 0);
        ids.remember("r:A:1", 5);
        assertThat(ids.size()).isEqualTo(1);
        assertThat(ids.firstTime("r:A:1", 500)).isFalse();
    }

    @Test
    @DisplayName("refuses a capacity or ttl that is not positive")
    void refusesNonPositiveBounds() {
        assertThatThrownBy(() -> new RecentIds(0, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecentIds(10, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
