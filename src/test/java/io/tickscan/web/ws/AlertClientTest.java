package io.tickscan.web.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One client's frames, with a fake socket and a clock the test moves. */
class AlertClientTest {
    static final WsSettings SETTINGS = new WsSettings("n1", 50, 4, 10, 1000, 100, 1000, 4096, 2);
    final FakeSink sink = new FakeSink();
    final AlertHistory history = new AlertHistory(100);
    final List<AlertClient> woken = new ArrayList<>();
    long now = 1_000;
    long ts;
    AlertClient client;

    @BeforeEach
    void connect() {
        client = new AlertClient(sink, SETTINGS, history, new StringBuilder(), () -> now, woken::add);
        client.hello();
        JsonObject hello = sink.take().get(0);
        assertThat(hello.getString("type")).isEqualTo("hello");
        assertThat(hello.getLong("seq")).isEqualTo(1);
    }

    EncodedAlert alert(String rule, String symbol) {
        EncodedAlert alert = Alerts.encoded(rule, symbol, ++ts);
        history.add(alert);
        return alert;
    }

    /** Offers n alerts of rule r to the client; true if all were queued. */
    boolean offer(int n) {
        boolean all = true;
        for (int i = 0; i < n; i++) {
            all &= client.offer(alert("r", "S"));
        }
        return all;
    }

    /**
     * Checks the client every 100 ms, as the node does, and expects it open for {@code openMs} (a multiple of 100),
     * then closed with {@code code} 1 ms later.
     */
    void expectClosedAfter(long openMs, short code) {
        assertThat(checkEvery100Ms(openMs - 100)).isFalse();
        now += 99;
        assertThat(client.check()).isFalse();
        now += 1;
        assertThat(client.check()).isTrue();
        assertThat(sink.closeCode).isEqualTo(code);
    }

    /** Moves the clock by {@code ms} in steps of 100 ms, checking the client at each, as the node does. */
    boolean checkEvery100Ms(long ms) {
        boolean closed = false;
        for (long left = ms; left > 0; left -= 100) {
            now += 100;
            closed |= client.check();
        }
        return closed;
    }

    static List<Long> tsOf(JsonObject frame) {
        JsonArray alerts = frame.getJsonArray("alerts");
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            out.add(alerts.getJsonObject(i).getLong("ts"));
        }
        return out;
    }

    @Test
    @DisplayName("the first alert leaves at once; the next wait for frame_ms and leave together")
    void coalescesIntoOneFramePerFrameMs() {
        offer(1);
        assertThat(client.flush()).isEqualTo(AlertClient.IDLE);
        List<JsonObject> first = sink.take();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).getLong("seq")).isEqualTo(2);
        assertThat(tsOf(first.get(0))).containsExactly(1L);
        offer(2);
        now += 20;
        assertThat(client.flush()).isEqualTo(1_050);
        assertThat(sink.frames).isEmpty();
        now += 30;
        assertThat(client.flush()).isEqualTo(AlertClient.IDLE);
        JsonObject second = sink.take().get(0);
        assertThat(second.getLong("seq")).isEqualTo(3);
        assertThat(tsOf(second)).containsExactly(2L, 3L);
    }

    @Test
    @DisplayName("a frame of frame_alerts leaves at once; the rest waits")
    void aFullFrameLeavesAtOnce() {
        offer(1);
        client.flush();
        sink.take();
        offer(6);
        assertThat(client.frameFull()).isTrue();
        assertThat(client.flush()).isEqualTo(1_050);
        List<JsonObject> frames = sink.take();
        assertThat(frames).hasSize(1);
        assertThat(tsOf(frames.get(0))).containsExactly(2L, 3L, 4L, 5L);
        now += 50;
        client.flush();
        assertThat(tsOf(sink.take().get(0))).containsExactly(6L, 7L);
    }

    @Test
    @DisplayName("while the socket is full nothing is written, the queue keeps the newest, and a dropped frame leads")
    void aFullSocketBoundsTheQueueAndMarksTheDropped() {
        sink.full = true;
        offer(25);
        assertThat(client.flush()).isEqualTo(AlertClient.IDLE);
        assertThat(sink.frames).isEmpty();
        assertThat(sink.reading).as("a client that cannot be written to is not read").isFalse();
        sink.drain();
        assertThat(woken).containsExactly(client);
        assertThat(sink.reading).isTrue();
        client.flush();
        List<JsonObject> frames = sink.take();
        assertThat(frames.get(0)).isEqualTo(new JsonObject().put("type", "dropped").put("seq", 2).put("count", 15));
        List<Long> sent = new ArrayList<>();
        frames.subList(1, frames.size()).forEach(f -> sent.addAll(tsOf(f)));
        assertThat(sent).containsExactly(16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L);
        now += 50;
        client.flush();
        sent.addAll(tsOf(sink.take().get(0)));
        assertThat(sent).hasSize(10).endsWith(25L);
    }

    @Test
    @DisplayName("a client that cannot take a frame for slow_close_ms is closed with 4008, then dropped")
    void aClientTooSlowIsClosed() {
        sink.full = true;
        offer(1);
        client.flush();
        expectClosedAfter(1_000, AlertClient.TOO_SLOW);
        assertThat(client.offer(alert("r", "S"))).isFalse();
        now += AlertClient.CLOSE_GRACE_MS;
        client.check();
        assertThat(sink.aborted).isTrue();
    }

    @Test
    @DisplayName("a client is pinged every ping_ms and closed after three silent intervals")
    void aSilentClientIsClosed() {
        now += 1000;
        client.check();
        assertThat(sink.pings).isEqualTo(1);
        now += 1000;
        client.heard();
        client.check();
        assertThat(sink.pings).isEqualTo(2);
        expectClosedAfter(3_000, AlertClient.SILENT);
    }

    @Test
    @DisplayName("a node that stood still longer than half the shorter of ping_ms and slow_close_ms counts its "
            + "clients' silence and blocked writes from when it runs again")
    void aNodeThatStoodStillDoesNotCloseItsClients() {
        now += 20_000; // the node was frozen: no check ran, no pong was read
        assertThat(client.check()).isFalse();
        assertThat(sink.pings).isEqualTo(1);
        expectClosedAfter(3_000, AlertClient.SILENT);
    }

    @Test
    @DisplayName("a node that stood still does not close a client whose writes were blocked as too slow at once")
    void aNodeThatStoodStillDoesNotCloseABlockedClientAtOnce() {
        sink.full = true;
        offer(1);
        client.flush();
        now += 20_000;
        assertThat(client.check()).isFalse();
        expectClosedAfter(1_000, AlertClient.TOO_SLOW);
    }

    @Test
    @DisplayName("a subscription filters what is queued, and a new one drops what waits and it does not pass")
    void subscribeFiltersBeforeSending() {
        client.offer(alert("a", "X"));
        client.offer(alert("b", "Y"));
        client.subscribe(new Subscription(Set.of("b"), null));
        JsonObject subscribed = sink.take().get(0);
        assertThat(subscribed.getString("type")).isEqualTo("subscribed");
        assertThat(subscribed.getJsonArray("rules")).containsExactly("b");
        assertThat(subscribed.getValue("symbols")).isNull();
        assertThat(client.offer(alert("a", "Y"))).isFalse();
        assertThat(client.offer(alert("b", "Z"))).isTrue();
        client.flush();
        assertThat(tsOf(sink.take().get(0))).containsExactly(2L, 4L);
    }

    @Test
    @DisplayName("resume sends the missed alerts that pass the subscription in place of those waiting, or a gap")
    void resumeOrGap() {
        String after = alert("a", "X").alert().alertId();
        alert("b", "X");
        alert("a", "Y");
        client.subscribe(new Subscription(Set.of("a"), null));
        sink.take();
        client.offer(alert("a", "Z"));
        client.resume(after);
        assertThat(sink.take().get(0)).isEqualTo(new JsonObject().put("type", "resumed").put("seq", 3)
                .put("after", after).put("count", 2));
        assertThat(woken).containsExactly(client);
        client.flush();
        assertThat(tsOf(sink.take().get(0))).containsExactly(3L, 4L);
        client.resume("gone:X:1");
        JsonObject gap = sink.take().get(0);
        assertThat(gap.getString("type")).isEqualTo("gap");
        assertThat(gap.getLong("seq")).isEqualTo(5);
    }

    @Test
    @DisplayName("bad messages get error frames up to max_bad_messages, then 1008")
    void badMessagesThenPolicyClose() {
        client.bad("one");
        client.bad("two");
        assertThat(sink.take()).extracting(f -> f.getString("error")).containsExactly("one", "two");
        client.error("a screen failed");
        assertThat(sink.closeCode).isNull();
        client.bad("three");
        assertThat(sink.closeCode).isEqualTo(AlertClient.POLICY);
    }

    @Test
    @DisplayName("matches frames carry the screener's body, and are skipped while the socket is full")
    void matchesFrames() {
        client.matches("r1", new JsonObject().put("scan_ts", 5).put("count", 0).put("matches", new JsonArray())
                .put("seq", 99));
        assertThat(sink.take().get(0)).isEqualTo(new JsonObject().put("type", "matches").put("seq", 2)
                .put("rule", "r1").put("scan_ts", 5).put("count", 0).put("matches", new JsonArray()));
        sink.full = true;
        client.matches("r1", new JsonObject());
        assertThat(sink.frames).isEmpty();
    }
}
