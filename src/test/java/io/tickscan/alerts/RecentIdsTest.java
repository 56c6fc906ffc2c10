package io.tickscan.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
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
        assertThatThrownBy(() -> new RecentIds((1 << 28) + 1, 1000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("answers as the map of id strings it replaced, over random ids, times, capacities and ttls")
    void answersAsTheMapItReplaced() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            int capacity = 1 + random.nextInt(round < 150 ? 8 : 300);
            long ttl = 1 + random.nextInt(200);
            RecentIds ids = new RecentIds(capacity, ttl);
            MapOfStrings model = new MapOfStrings(capacity, ttl);
            int pool = 1 + random.nextInt(2 * capacity + 5);
            long now = 0;
            for (int op = 0; op < 2_000; op++) {
                now += random.nextInt(4);
                String id = "r:S" + random.nextInt(pool) + ":" + (random.nextInt(3) * 60_000);
                if (random.nextInt(3) == 0) {
                    ids.remember(id, now);
                    model.remember(id, now);
                } else {
                    assertThat(ids.firstTime(id, now)).as("round %d op %d %s at %d", round, op, id, now)
                            .isEqualTo(model.firstTime(id, now));
                }
                assertThat(ids.size()).isEqualTo(model.size());
            }
        }
    }

    @Test
    @DisplayName("an id Redis decided on again moves to the end: the ids seen less recently are forgotten first")
    void anIdSeenAgainIsForgottenLast() {
        RecentIds ids = new RecentIds(2, 1_000_000);
        ids.firstTime("A", 0);
        ids.firstTime("B", 1);
        ids.remember("A", 2);
        assertThat(ids.firstTime("C", 3)).isTrue(); // forgets B, not A
        assertThat(ids.firstTime("A", 4)).isFalse();
        assertThat(ids.firstTime("B", 5)).isTrue();
    }

    @Test
    @DisplayName("keeps its bounds after many more sightings than places (the ring compacted)")
    void compactsAfterManySightings() {
        RecentIds ids = new RecentIds(3, 1_000_000);
        for (int i = 0; i < 1_000; i++) {
            ids.remember("A", i);
            ids.remember("B", i);
            assertThat(ids.size()).isEqualTo(2);
        }
        assertThat(ids.firstTime("C", 2_000)).isTrue();
        assertThat(ids.firstTime("A", 2_001)).isFalse();
        assertThat(ids.firstTime("D", 2_002)).isTrue(); // forgets A, last seen (remembered) just before B
        assertThat(ids.firstTime("B", 2_003)).isFalse();
        assertThat(ids.firstTime("A", 2_004)).isTrue();
        assertThat(ids.size()).isEqualTo(3);
    }

    /** The dedupe as it was written before, a map of id strings in the order last seen: the meaning to keep. */
    private static final class MapOfStrings {
        private final int capacity;
        private final long ttl;
        private final LinkedHashMap<String, Long> seen = new LinkedHashMap<>();

        MapOfStrings(int capacity, long ttl) {
            this.capacity = capacity;
            this.ttl = ttl;
        }

        boolean firstTime(String id, long now) {
            expire(now);
            if (seen.containsKey(id)) {
                return false;
            }
            remember(id, now);
            return true;
        }

        void remember(String id, long now) {
            expire(now);
            seen.remove(id);
            seen.put(id, now);
            if (seen.size() > capacity) {
                Iterator<String> oldest = seen.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }

        int size() {
            return seen.size();
        }

        private void expire(long now) {
            Iterator<Map.Entry<String, Long>> oldest = seen.entrySet().iterator();
            while (oldest.hasNext()) {
                if (now - oldest.next().getValue() < ttl) {
                    return;
                }
                oldest.remove();
            }
        }
    }
}
