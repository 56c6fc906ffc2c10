package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PendingAlertsTest {

    static JsonArray drained(PendingAlerts pending, int n) {
        StringBuilder out = new StringBuilder("[");
        pending.drainJson(n, out);
        return new JsonArray(out.append(']').toString());
    }

    @Test
    void keepsTheNewestUpToItsCapacityAndCountsTheOldestDropped() {
        PendingAlerts pending = new PendingAlerts(40);
        for (int i = 0; i < 100; i++) {
            pending.add(Alerts.encoded("r", "S", i));
        }
        assertThat(pending.size()).isEqualTo(40);
        assertThat(pending.hasDropped()).isTrue();
        assertThat(pending.takeDropped()).isEqualTo(60);
        assertThat(pending.takeDropped()).isZero();
        JsonArray first = drained(pending, 3);
        assertThat(first.getJsonObject(0).getLong("ts")).isEqualTo(60);
        assertThat(first.getJsonObject(2).getLong("ts")).isEqualTo(62);
        assertThat(pending.size()).isEqualTo(37);
        assertThat(drained(pending, 37).getJsonObject(36).getLong("ts")).isEqualTo(99);
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void keepsOrderAcrossTheRingsWrapAndGrowth() {
        PendingAlerts pending = new PendingAlerts(1000);
        long next = 0;
        long expected = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 7 + round; i++) {
                pending.add(Alerts.encoded("r", "S", next++));
            }
            JsonArray out = drained(pending, Math.min(pending.size(), 5 + round / 2));
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.getJsonObject(i).getLong("ts")).isEqualTo(expected++);
            }
        }
        assertThat(pending.hasDropped()).isFalse();
        assertThat(pending.size()).isEqualTo((int) (next - expected));
    }

    @Test
    void retainKeepsWhatASubscriptionPassesInOrder() {
        PendingAlerts pending = new PendingAlerts(8);
        for (int i = 0; i < 12; i++) {
            pending.add(Alerts.encoded(i % 3 == 0 ? "keep" : "other", "S", i));
        }
        pending.retain(new Subscription(Set.of("keep"), null));
        JsonArray out = drained(pending, pending.size());
        assertThat(out.stream().map(a -> ((io.vertx.core.json.JsonObject) a).getLong("ts")))
                .containsExactly(6L, 9L);
        pending.add(Alerts.encoded("x", "S", 100));
        pending.clear();
        assertThat(pending.isEmpty()).isTrue();
        assertThat(pending.hasDropped()).isFalse();
    }
}
