package io.tickscan.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Iterator;
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
    }

    @Test
    @DisplayName("answers as a plain queue of ids would, over random ids, times, capacities and ttls")
    void answersAsAPlainQueue() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            int capacity = 1 + random.nextInt(round < 150 ? 8 : 300);
            long ttl = 1 + random.nextInt(200);
            RecentIds ids = new RecentIds(capacity, ttl);
            Queue model = new Queue(capacity, ttl);
            int pool = 1 + random.nextInt(2 * capacity + 5);
            long now = 0;
            for (int op = 0; op < 2_000; op++) {
                now += random.nextInt(4);
                String id = "r:S" + random.nextInt(pool) + ":" + (random.nextInt(3) * 60_000);
                if (random.nextInt(4) == 0) {
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

    /** The meaning of {@link RecentIds}, written plainly: a queue of ids in the order they were first added. */
    private static final class Queue {
        private final int capacity;
        private final long ttl;
        private final ArrayDeque<Object[]> entries = new ArrayDeque<>();

        Queue(int capacity, long ttl) {
            this.capacity = capacity;
            this.ttl = ttl;
        }

        boolean firstTime(String id, long now) {
            expire(now);
            Object[] entry = find(id);
            if (entry != null && now - (long) entry[1] < ttl) {
                return false;
            }
            remember(id, now);
            return true;
        }

        void remember(String id, long now) {
            expire(now);
            Object[] entry = find(id);
            if (entry != null) {
                entry[1] = now;
                return;
            }
            if (entries.size() == capacity) {
                entries.removeFirst();
            }
            entries.addLast(new Object[] {id, now});
        }

        int size() {
            return entries.size();
        }

        private Object[] find(String id) {
            for (Iterator<Object[]> it = entries.iterator(); it.hasNext(); ) {
                Object[] entry = it.next();
                if (entry[0].equals(id)) {
                    return entry;
                }
            }
            return null;
        }

        private void expire(long now) {
            while (!entries.isEmpty() && now - (long) entries.peekFirst()[1] >= ttl) {
                entries.removeFirst();
            }
        }
    }
}
