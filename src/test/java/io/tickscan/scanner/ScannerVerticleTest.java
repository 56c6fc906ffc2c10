package io.tickscan.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.codec.TickBatch;
import io.tickscan.codec.TickOrigin;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scanner instance with a controllable clock and timers: ticks in on its partition, alerts out at the expected
 * scan, failures counted without stopping it.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("a scanner instance")
class ScannerVerticleTest {
    private static final long T0 = 1_700_000_040_000L; // minute-aligned
    private static final long GRACE = 50;
    private static final String RULES = "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 60}]";
    private String rules = RULES;
    private final AtomicLong now = new AtomicLong(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualTimers timers = new ManualTimers();
    private final List<Alert> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Promise<Void> alertsArrived;
    private volatile int alertsExpected;

    private Future<String> deploy(Vertx vertx, boolean withCodecs) {
        if (withCodecs) {
            Addresses.registerCodecs(vertx.eventBus());
            vertx.eventBus().<Alert>localConsumer(Addresses.ALERTS_FOUND, m -> {
                alerts.add(m.body());
                Promise<Void> waiting = alertsArrived;
                if (waiting != null && alerts.size() >= alertsExpected) {
                    waiting.tryComplete();
                }
            });
        } else {
            vertx.eventBus().registerDefaultCodec(TickBatch.class, new io.tickscan.codec.TickBatchCodec());
        }
        JsonObject config = new JsonObject().put("instance", "test/scanner-0").put("node", "test")
                .put("partitions", new JsonArray().add(3)).put("partition_count", 8)
                .put("engine", new JsonObject().put("history_minutes", 180).put("session_zone", "UTC")
                        .put("session_start", "00:00").put("future_tolerance_ms", 2000))
                .put("rules", new JsonObject().put("max_rules", 1000).put("max_conditions", 64))
                .put("scanner", new JsonObject().put("grace_ms", GRACE).put("watermark_wait_ms", 3000)
                        .put("hold_ticks", 1000));
        vertx.eventBus().localConsumer(Addresses.RULES_CURRENT,
                m -> m.reply(new JsonObject().put("version", 1).put("text", rules)));
        return vertx.deployVerticle(() -> new ScannerVerticle(registry, now::get, timers, OwnershipLease.unconditional()),
                        new DeploymentOptions().setConfig(config))
                .compose(id -> {
                    vertx.eventBus().publish(Addresses.SCANNERS_START, null, Addresses.local());
                    return awaitArmed(vertx).map(id);
                });
    }

    /** Completes once the scanner has armed its first timer (after {@code SCANNERS_START}). */
    private Future<Void> awaitArmed(Vertx vertx) {
        Promise<Void> armed = Promise.promise();
        vertx.setPeriodic(1, id -> {
            if (timers.armed() > 0) {
                vertx.cancelTimer(id);
                armed.complete();
            }
        });
        return armed.future();
    }

    /** Completes once {@code count} alerts have reached the test's consumer (on whichever thread sees it first). */
    private Future<Void> expectAlerts(int count) {
        Promise<Void> arrived = Promise.promise();
        alertsExpected = count;
        alertsArrived = arrived;
        if (alerts.size() >= count) {
            arrived.tryComplete();
        }
        return arrived.future();
    }

    /** Scans second {@code t}: sets the clock to its grace after it and fires the armed timer. */
    private Future<Void> scanAt(long t) {
        now.set(t + GRACE);
        return timers.fire();
    }

    /** Sends a batch of one tick, with the clock at {@code wall}. */
    private Future<Object> arrive(Vertx vertx, long wall, String symbol, long ts, double price) {
        now.set(wall);
        return vertx.eventBus().request(Addresses.partition(3), batch(symbol, ts, price)).map(m -> m.body());
    }

    private static TickBatch batch(String symbol, long ts, double price) {
        return new TickBatch(3, T0, new String[] {symbol}, new long[] {ts}, new double[] {price}, new double[] {1});
    }

    @Test
    @DisplayName("each instance of a node scans scanner.stagger_ms after the one before it")
    void instancesAreStaggered() {
        JsonObject scanner = new JsonObject().put("grace_ms", 50).put("stagger_ms", 25);
        assertThat(ScannerVerticle.graceMs(new JsonObject().put("scanner", scanner).put("index", 0))).isEqualTo(50);
        assertThat(ScannerVerticle.graceMs(new JsonObject().put("scanner", scanner).put("index", 2))).isEqualTo(100);
        assertThat(ScannerVerticle.graceMs(new JsonObject().put("scanner", scanner.copy().put("stagger_ms", 0))
                .put("index", 3))).isEqualTo(50);
    }

    @Test
    @DisplayName("applies ticks as they arrive and publishes the alert at the next scan")
    void ticksAreAppliedAndTheAlertIsPublishedAtTheNextScan(Vertx vertx, VertxTestContext ctx) {
        deploy(vertx, true)
                .compose(v -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 100, 101)))
                .compose(ack -> scanAt(T0 + 1000))
                .compose(v -> vertx.eventBus().request(Addresses.partition(3), batch("MSFT", T0 + 1100, 99)))
                .compose(ack -> scanAt(T0 + 2000))
                .compose(v -> expectAlerts(1))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(alerts).extracting(Alert::alertId).containsExactly("up:AAPL:" + (T0 + 1000));
                    assertThat(alerts.get(0).price()).isEqualTo(101);
                    assertThat(alerts.get(0).metricNames()).containsExactly("last");
                    assertThat(registry.get("tick_processed").counter().count()).isEqualTo(2);
                    assertThat(registry.get("scan_cycle").timer().count()).isEqualTo(2);
                    assertThat(registry.get("alerts_emitted").tag("rule", "up").counter().count()).isEqualTo(1);
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("rejects ticks too far ahead, swaps in the rules version it is handed at the next scan, and drops "
            + "the meters of removed rules")
    void higherRuleVersionsAreSwappedInAtTheNextScan(Vertx vertx, VertxTestContext ctx) {
        deploy(vertx, true)
                .compose(v -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 500, 101)))
                .compose(ack -> scanAt(T0 + 1000))
                .compose(v -> expectAlerts(1))
                .compose(ack -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 60_000, 101)))
                .compose(ack -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 1500, 50)))
                .compose(ack -> {
                    vertx.eventBus().publish(Addresses.RULES_APPLY, new JsonObject().put("version", 3).put("text",
                            "[{\"id\": \"down\", \"when\": \"last < 60\", \"cooldown_sec\": 0}]"), Addresses.local());
                    return scanAt(T0 + 2000);
                })
                .compose(v -> expectAlerts(2))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(registry.get("ticks_rejected").tag("reason", "future").counter().count()).isEqualTo(1);
                    assertThat(alerts).extracting(Alert::alertId)
                            .containsExactly("up:AAPL:" + (T0 + 1000), "down:AAPL:" + (T0 + 2000));
                    assertThat(registry.get("rules_version").gauge().value()).isEqualTo(3);
                    assertThat(registry.find("alerts_emitted").tag("rule", "up").counter()).isNull();
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("counts a scan that fails and runs the next one on time")
    void aFailedScanIsCountedAndTheNextScanRuns(Vertx vertx, VertxTestContext ctx) {
        deploy(vertx, false) // no alert codec: publishing the alert fails inside the scan
                .compose(v -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 100, 101)))
                .compose(ack -> scanAt(T0 + 1000))
                .compose(v -> scanAt(T0 + 2000))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(registry.get("scan_failures").counter().count()).isEqualTo(1);
                    assertThat(registry.get("scan_cycle").timer().count()).isEqualTo(2);
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("skips a tick that fails to apply, counts it, and applies the rest of its batch")
    void aFailedTickIsCountedAndTheRestOfTheBatchApplied(Vertx vertx, VertxTestContext ctx) {
        TickBatch poisoned = new TickBatch(3, T0, new String[] {"AAPL", null, "MSFT"},
                new long[] {T0 + 100, T0 + 100, T0 + 100}, new double[] {101, 1, 102}, new double[] {1, 1, 1});
        deploy(vertx, true)
                .compose(v -> vertx.eventBus().request(Addresses.partition(3), poisoned))
                .compose(ack -> scanAt(T0 + 1000))
                .compose(v -> expectAlerts(2))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(registry.get("batch_failures").counter().count()).isEqualTo(1);
                    assertThat(registry.get("tick_processed").counter().count()).isEqualTo(2);
                    assertThat(alerts).extracting(Alert::symbol).containsExactly("AAPL", "MSFT");
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("skips a Kafka record read again that its partition took already, and counts it")
    void aTickReadAgainIsSkippedByItsOffset(Vertx vertx, VertxTestContext ctx) {
        TickBatch first = new TickBatch(3, T0, new String[] {"AAPL", "MSFT"}, new long[] {T0 + 100, T0 + 100},
                new double[] {101, 102}, new double[] {1, 1},
                new long[] {TickOrigin.of(0, 10), TickOrigin.of(1, 4)}, null);
        // read again from offset 9 of Kafka partition 0 and 4 of partition 1: only offset 11 and 5 are new
        TickBatch again = new TickBatch(3, T0, new String[] {"AAPL", "AAPL", "MSFT", "AAPL", "MSFT"},
                new long[] {T0 + 50, T0 + 100, T0 + 100, T0 + 200, T0 + 200}, new double[] {99, 101, 102, 103, 104},
                new double[] {1, 1, 1, 1, 1}, new long[] {TickOrigin.of(0, 9), TickOrigin.of(0, 10),
                        TickOrigin.of(1, 4), TickOrigin.of(0, 11), TickOrigin.of(1, 5)}, null);
        deploy(vertx, true)
                .compose(v -> vertx.eventBus().request(Addresses.partition(3), first))
                .compose(ack -> vertx.eventBus().request(Addresses.partition(3), again))
                .compose(ack -> scanAt(T0 + 1000))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(registry.get("tick_processed").counter().count()).isEqualTo(4);
                    assertThat(registry.get("ticks_taken_already").counter().count()).isEqualTo(3);
                    ctx.completeNow();
                })));
    }

    /** Ticks around the second boundary {@code S1}: stamped just before it, on it and just after it. */
    private static final long S1 = T0 + 1000;
    private static final Object[][] BOUNDARY_TICKS = {
        {"A", S1 - 3, 101.0}, {"B", S1 + 5, 101.0}, {"A", S1 + 7, 50.0}, {"C", S1 - 1, 50.0}, {"C", S1, 120.0}};
    private static final String BOUNDARY_RULES = "[{\"id\": \"up\", \"when\": \"last > 100\", \"cooldown_sec\": 0},"
            + "{\"id\": \"down\", \"when\": \"last < 60\", \"cooldown_sec\": 0},"
            + "{\"id\": \"x\", \"when\": \"last crosses_above vwap\", \"cooldown_sec\": 0}]";

    /** Every order of arrival of {@link #BOUNDARY_TICKS}, as permutations of their indexes. */
    static java.util.stream.Stream<int[]> arrivalOrders() {
        List<int[]> orders = new ArrayList<>();
        permute(new int[] {0, 1, 2, 3, 4}, 0, orders);
        return orders.stream();
    }

    private static void permute(int[] a, int k, List<int[]> out) {
        if (k == a.length) {
            out.add(a.clone());
            return;
        }
        for (int i = k; i < a.length; i++) {
            int t = a[k]; a[k] = a[i]; a[i] = t;
            permute(a, k + 1, out);
            t = a[k]; a[k] = a[i]; a[i] = t;
        }
    }

    /** The alert ids {@code replay} gives for the boundary ticks: the engine in event time, ticks in ts order. */
    private static List<String> replayAlerts() {
        io.tickscan.engine.ScanEngine engine = new io.tickscan.engine.ScanEngine(
                RulesFile.parse(BOUNDARY_RULES, io.tickscan.rules.RuleLimits.withHistory(180)),
                io.tickscan.engine.EngineSettings.DEFAULTS);
        List<String> ids = new ArrayList<>();
        io.tickscan.engine.EventTimeDriver driver = new io.tickscan.engine.EventTimeDriver(engine,
                io.tickscan.engine.EventTimeDriver.DEFAULT_MAX_GAP_MS,
                (rule, symbol, t) -> ids.add(engine.alert(rule, symbol, t, Alert::new).alertId()));
        java.util.Arrays.stream(BOUNDARY_TICKS).sorted(java.util.Comparator.comparingLong(t -> (Long) t[1]))
                .forEach(t -> driver.offer((String) t[0], (Long) t[1], (Double) t[2], 1));
        driver.finish();
        return ids.stream().sorted().toList();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("arrivalOrders")
    @DisplayName("ticks stamped around a second that arrive in any order within the grace give replay's alerts")
    void ticksAroundASecondGiveReplaysAlertsInAnyOrderOfArrival(int[] order, Vertx vertx, VertxTestContext ctx) {
        rules = BOUNDARY_RULES;
        List<String> expected = replayAlerts();
        Future<?> arrivals = deploy(vertx, true);
        for (int k = 0; k < order.length; k++) {
            Object[] tick = BOUNDARY_TICKS[order[k]];
            long wall = S1 - 20 + 10L * k; // from 20 ms before the second to 20 ms after, all within the grace
            arrivals = arrivals.compose(v -> arrive(vertx, wall, (String) tick[0], (Long) tick[1], (Double) tick[2]));
        }
        arrivals.compose(v -> scanAt(S1))
                .compose(v -> scanAt(S1 + 1000))
                .compose(v -> expectAlerts(expected.size()))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(alerts.stream().map(Alert::alertId).sorted().toList()).isEqualTo(expected);
                    assertThat(registry.find("alerts_emitted").counters().stream().mapToDouble(c -> c.count()).sum())
                            .as("alerts emitted, delivered or not").isEqualTo(expected.size());
                    assertThat(registry.get("ticks_after_scan").counter().count()).isZero();
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("a tick whose second was scanned without it is applied for the next scan and counted")
    void aTickAfterItsScanIsAppliedForTheNextAndCounted(Vertx vertx, VertxTestContext ctx) {
        deploy(vertx, true)
                .compose(v -> scanAt(S1))
                .compose(v -> arrive(vertx, S1 + GRACE + 5, "LATE", S1 - 2, 101))
                .compose(v -> scanAt(S1 + 1000))
                .compose(v -> expectAlerts(1))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(alerts).extracting(Alert::alertId).containsExactly("up:LATE:" + (S1 + 1000));
                    assertThat(registry.get("ticks_after_scan").counter().count()).isEqualTo(1);
                    assertThat(registry.get("tick_processed").counter().count()).isEqualTo(1);
                    ctx.completeNow();
                })));
    }

    @Test
    @DisplayName("ticks held for a scan whose timer runs late are applied before newer ticks of the same symbol")
    void heldTicksGoBeforeNewerOnesWhenTheTimerRunsLate(Vertx vertx, VertxTestContext ctx) {
        rules = "[{\"id\": \"open\", \"when\": \"day_open > 100\", \"cooldown_sec\": 3600}]";
        deploy(vertx, true)
                .compose(v -> arrive(vertx, S1 + 10, "A", S1 + 5, 101)) // the scan of S1 is due: held
                .compose(v -> arrive(vertx, S1 + 1100, "A", S1 + 1060, 50)) // the timer of S1 runs late
                .compose(v -> timers.fire()) // scans S1 + 1000, the latest second whose grace has passed
                .compose(v -> expectAlerts(1))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(alerts).extracting(Alert::alertId).containsExactly("open:A:" + (S1 + 1000));
                    assertThat(registry.get("ticks_after_scan").counter().count()).isZero();
                    ctx.completeNow();
                })));
    }

    /** Publishes a scanner query and completes with the answer sent to its {@code reply_to}. */
    private static Future<JsonObject> query(Vertx vertx, JsonObject query) {
        Promise<JsonObject> answered = Promise.promise();
        String replyTo = "test.replies." + query.getString("id");
        io.vertx.core.eventbus.MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(replyTo);
        consumer.handler(m -> {
            consumer.unregister();
            answered.complete(m.body());
        });
        return consumer.completion().compose(v -> {
            vertx.eventBus().publish(Addresses.SCANNER_QUERY, query.copy().put("reply_to", replyTo));
            return answered.future();
        });
    }

    @Test
    @DisplayName("answers the screener, preview and symbol queries from its latest scan, and is in the registry "
            + "exactly while it runs")
    void answersQueriesAndIsInTheRegistryWhileItRuns(Vertx vertx, VertxTestContext ctx) {
        List<JsonObject> answers = new ArrayList<>();
        JsonObject[] entry = new JsonObject[2];
        deploy(vertx, true).compose(id -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 100, 101))
                        .compose(ack -> vertx.eventBus().request(Addresses.partition(3), batch("MSFT", T0 + 200, 99)))
                        .compose(ack -> scanAt(T0 + 1000))
                        // after the scan: in the snapshot's newest tick, not in the screener
                        .compose(v -> vertx.eventBus().request(Addresses.partition(3), batch("AAPL", T0 + 1100, 90)))
                        .compose(ack -> query(vertx, new JsonObject().put("id", "1").put("kind", "matches")
                                .put("rule", "up")))
                        .compose(a -> collect(answers, a, query(vertx, new JsonObject().put("id", "2")
                                .put("kind", "matches").put("rule", "nope"))))
                        .compose(a -> collect(answers, a, query(vertx, new JsonObject().put("id", "3")
                                .put("kind", "preview").put("rule", new JsonObject().put("when", "last < 100")))))
                        .compose(a -> collect(answers, a, query(vertx, new JsonObject().put("id", "4")
                                .put("kind", "preview").put("rule", new JsonObject().put("when", "last >")))))
                        .compose(a -> collect(answers, a, query(vertx, new JsonObject().put("id", "5")
                                .put("kind", "symbol").put("symbol", "AAPL"))))
                        .compose(a -> collect(answers, a, query(vertx, new JsonObject().put("id", "6")
                                .put("kind", "symbol").put("symbol", "NOPE"))))
                        .compose(a -> {
                            answers.add(a);
                            return vertx.sharedData().<String, JsonObject>getAsyncMap(Addresses.SCANNER_REGISTRY);
                        })
                        .compose(map -> map.get("test/scanner-0").compose(e -> {
                            entry[0] = e;
                            return vertx.undeploy(id);
                        }).compose(v -> map.get("test/scanner-0")))
                        .map(e -> entry[1] = e))
                .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
                    assertThat(answers.get(0)).isEqualTo(new JsonObject("{\"id\": \"1\", \"instance\": "
                            + "\"test/scanner-0\", \"node\": \"test\", \"known\": true, \"scan_ts\": " + (T0 + 1000)
                            + ", \"evaluated\": true, \"metrics\": [\"last\"], \"matches\": [{\"symbol\": \"AAPL\", "
                            + "\"price\": 101.0, \"metrics\": {\"last\": 101.0}}]}"));
                    assertThat(answers.get(1).getBoolean("known")).isFalse();
                    assertThat(answers.get(1).getJsonArray("matches")).isEmpty();
                    assertThat(answers.get(2).getJsonArray("matches")).extracting(m -> ((JsonObject) m)
                            .getString("symbol")).containsExactly("MSFT");
                    assertThat(answers.get(3).getString("error")).contains("rule 'preview' at when");
                    assertThat(answers.get(3).getJsonArray("errors").getJsonObject(0).getString("rule_id"))
                            .isEqualTo("preview");
                    JsonObject aapl = answers.get(4).getJsonObject("symbol");
                    assertThat(answers.get(4).getBoolean("found")).isTrue();
                    assertThat(aapl.getDouble("last")).isEqualTo(90);
                    assertThat(aapl.getLong("ts")).isEqualTo(T0 + 1100);
                    assertThat(aapl.getJsonObject("metrics")).isEqualTo(new JsonObject().put("last", 101.0));
                    assertThat(aapl.getJsonObject("live")).isEqualTo(new JsonObject().put("t", T0).put("o", 101.0)
                            .put("h", 101.0).put("l", 90.0).put("c", 90.0).put("v", 2.0));
                    assertThat(aapl.getJsonArray("bars")).isEmpty();
                    assertThat(aapl.getJsonObject("session").getDouble("vwap")).isEqualTo((101.0 + 90.0) / 2);
                    assertThat(answers.get(5)).isEqualTo(new JsonObject().put("id", "6")
                            .put("instance", "test/scanner-0").put("node", "test").put("found", false));
                    assertThat(entry[0]).isEqualTo(new JsonObject().put("instance", "test/scanner-0")
                            .put("node", "test").putNull("member").put("node_instances", 1));
                    assertThat(entry[1]).as("removed when undeployed").isNull();
                    ctx.completeNow();
                })));
    }

    private static <T> Future<T> collect(List<JsonObject> answers, JsonObject answer, Future<T> next) {
        answers.add(answer);
        return next;
    }
}
