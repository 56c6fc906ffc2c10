package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.AlertMessage;
import io.tickscan.codec.TickBatch;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A scanner instance with a controllable clock: ticks in on its partition, alerts out at the expected scan. */
@ExtendWith(VertxExtension.class)
class ScannerVerticleTest {
    private static final long T0 = 1_700_000_040_000L; // minute-aligned
    private final AtomicLong now = new AtomicLong(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AlertMessage> alerts = new ArrayList<>();

    @BeforeEach
    void deploy(Vertx vertx, VertxTestContext ctx) {
        Addresses.registerCodecs(vertx.eventBus());
        vertx.eventBus().<AlertMessage>consumer(Addresses.ALERTS, m -> alerts.add(m.body()));
        JsonObject config = new JsonObject().put("instance", "test/scanner-0")
                .put("partitions", new JsonArray().add(3))
                .put("engine", new JsonObject().put("history_minutes", 180).put("session_zone", "UTC")
                        .put("session_start", "00:00").put("future_tolerance_ms", 2000))
                .put("rules", "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 60}]")
                .put("scan_trigger", "test.scan");
        vertx.deployVerticle(() -> new ScannerVerticle(registry, now::get), new DeploymentOptions().setConfig(config))
                .onComplete(ctx.succeedingThenComplete());
    }

    private static TickBatch batch(String symbol, long ts, double price) {
        return new TickBatch(3, T0, new String[] {symbol}, new long[] {ts}, new double[] {price}, new double[] {1});
    }

    @Test
    void ticksAreAppliedAndTheAlertIsPublishedAtTheNextScan(Vertx vertx, VertxTestContext ctx) {
        vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 100, 101))
                .compose(ack -> vertx.eventBus().request("test.scan", T0 + 1000))
                .compose(scans -> vertx.eventBus().request(Addresses.partition(3), batch("MSFT", T0 + 1100, 99)))
                .compose(ack -> vertx.eventBus().request("test.scan", T0 + 2000))
                .onComplete(ctx.succeeding(v -> vertx.setTimer(50, id -> ctx.verify(() -> {
                    assertThat(alerts).extracting(AlertMessage::alertId).containsExactly("up:AAPL:" + (T0 + 1000));
                    assertThat(alerts.get(0).price()).isEqualTo(101);
                    assertThat(alerts.get(0).metricNames()).containsExactly("last");
                    assertThat(registry.get("tick_processed").counter().count()).isEqualTo(2);
                    ctx.completeNow();
                }))));
    }

    @Test
    void ticksTooFarAheadOfTheClockAreRejectedAndANewRuleSetTakesEffectAtTheNextScan(Vertx vertx,
                                                                                    VertxTestContext ctx) {
        vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 60_000, 101))
                .compose(ack -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 500, 50)))
                .compose(ack -> {
                    vertx.eventBus().publish(Addresses.RULES_UPDATE,
                            "[{\"id\": \"down\", \"when\": \"last < 60\", \"cooldown_sec\": 0}]");
                    return vertx.eventBus().request("test.scan", T0 + 1000);
                })
                .onComplete(ctx.succeeding(v -> vertx.setTimer(50, id -> ctx.verify(() -> {
                    assertThat(registry.get("ticks_rejected").tag("reason", "future").counter().count()).isEqualTo(1);
                    assertThat(alerts).extracting(AlertMessage::alertId).containsExactly("down:AAPL:" + (T0 + 1000));
                    ctx.completeNow();
                }))));
    }
}
