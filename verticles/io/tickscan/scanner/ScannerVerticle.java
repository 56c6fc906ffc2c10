package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.AlertMessage;
import io.tickscan.codec.TickBatch;
import io.tickscan.config.NodeConfig;
import io.tickscan.scanner.RulesFile;
import io.tickscan.engine.Alert;
import io.tickscan.engine.CompiledRule;
import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.TickRejectReason;
import io.tickscan.rules.RuleSet;
import io.tickscan.rules.RuleSetException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scanner instance: owns some partitions, applies their ticks to its engine as batches arrive, and scans at
 * every whole second of its clock, publishing each alert on {@link Addresses#ALERTS}. A new rule set published on
 * {@link Addresses#RULES_UPDATE} is swapped in at the next scan. A scan that runs late makes the scanner skip
 * the seconds it missed (counted); scans never overlap, since a verticle runs one thing at a time.
 *
 * <p>Config: {@code instance} (its id), {@code partitions} (the partitions it owns), {@code engine} (the
 * {@code engine.*} settings), {@code rules} (the rules file's JSON text), and, for tests, {@code scan_trigger}:
 * an address on which scan times are sent instead of the timer. With the timer, scanning starts when
 * {@link Addresses#SCANNERS_START} is published on this node.
 */
public final class ScannerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ScannerVerticle.class);

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private final List<Alert> found = new ArrayList<>();
    private long[] stamps = new long[64];
    private final Map<String, Counter> alertsByRule = new HashMap<>();
    private ScanEngine engine;
    private EngineSettings settings;
    private RuleSet pendingRules;
    private long futureToleranceMs;
    private long lastScan = Long.MIN_VALUE;
    private long scanTimer = -1;
    private long reportedLate;
    private Timer scanCycle;
    private Timer tickToAlert;
    private Counter symbolsScanned;
    private Counter processed;
    private Counter future;
    private Counter late;
    private Counter skipped;

    /**
     * @param registry where the scanner's meters go
     * @param clock    wall-clock milliseconds (a controllable clock in tests)
     */
    public ScannerVerticle(MeterRegistry registry, LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        JsonObject conf = config();
        String instance = conf.getString("instance");
        settings = NodeConfig.engineSettings(conf.getJsonObject("engine"));
        futureToleranceMs = conf.getJsonObject("engine").getLong("future_tolerance_ms");
        RuleSet rules = RulesFile.parse(conf.getString("rules"), io.tickscan.rules.RuleLimits.withHistory(settings.historyMinutes()));
        engine = new ScanEngine(rules, settings);
        meters(instance);
        List<Future<Void>> ready = new ArrayList<>();
        JsonArray partitions = conf.getJsonArray("partitions");
        for (int k = 0; k < partitions.size(); k++) {
            // local until partitions are handed over between nodes (the cluster issue): two nodes' consumers on
            // one partition address would split a symbol's ticks between two states
            MessageConsumer<TickBatch> consumer = vertx.eventBus().localConsumer(
                    Addresses.partition(partitions.getInteger(k)), this::onBatch);
            consumers.add(consumer);
            ready.add(consumer.completion());
        }
        MessageConsumer<String> rulesConsumer = vertx.eventBus().consumer(Addresses.RULES_UPDATE, this::onRules);
        consumers.add(rulesConsumer);
        ready.add(rulesConsumer.completion());
        String trigger = conf.getString("scan_trigger");
        if (trigger != null) {
            MessageConsumer<Long> triggers = vertx.eventBus().consumer(trigger, m -> {
                scan(m.body());
                m.reply(engine.scans());
            });
            consumers.add(triggers);
            ready.add(triggers.completion());
        } else {
            MessageConsumer<Object> go = vertx.eventBus().localConsumer(Addresses.SCANNERS_START, m -> {
                if (scanTimer < 0) {
                    scheduleNextScan();
                }
            });
            consumers.add(go);
            ready.add(go.completion());
        }
        LOG.info("scanner {} owns {} partitions, {} rules", instance, partitions.size(), engine.rules().size());
        return Future.all(ready);
    }

    @Override
    public Future<?> stop() {
        if (scanTimer >= 0) {
            vertx.cancelTimer(scanTimer);
        }
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    }

    private void meters(String instance) {
        scanCycle = Timer.builder("scan_cycle").description("Time of one scan of every symbol by every rule")
                .tag("instance", instance).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        tickToAlert = Timer.builder("tick_to_alert").description("From the arrival of a symbol's newest tick to "
                        + "the publication of its alert").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        symbolsScanned = Counter.builder("symbols_scanned").register(registry);
        processed = Counter.builder("tick_processed").description("Ticks applied by scanners").register(registry);
        future = Counter.builder("ticks_rejected").tag("reason", TickRejectReason.FUTURE.label()).tag("source", "scanner")
                .register(registry);
        late = Counter.builder("ticks_rejected").tag("reason", "late").tag("source", "scanner").register(registry);
        skipped = Counter.builder("scans_skipped").description("Seconds skipped after a late scan").register(registry);
    }

    private void onBatch(Message<TickBatch> message) {
        TickBatch batch = message.body();
        long horizon = clock.getAsLong() + futureToleranceMs;
        int applied = 0;
        for (int i = 0; i < batch.size(); i++) {
            long ts = batch.timestamps()[i];
            if (ts > horizon) {
                future.increment();
                continue;
            }
            engine.apply(batch.symbols()[i], ts, batch.prices()[i], batch.sizes()[i], batch.arrivedAt());
            applied++;
        }
        long lateNow = engine.lateTicks();
        if (lateNow != reportedLate) {
            late.increment(lateNow - reportedLate);
            applied -= (int) (lateNow - reportedLate);
            reportedLate = lateNow;
        }
        processed.increment(applied);
        message.reply(null);
    }

    private void onRules(Message<String> message) {
        try {
            pendingRules = RulesFile.parse(message.body(), io.tickscan.rules.RuleLimits.withHistory(settings.historyMinutes()));
        } catch (RuleSetException e) {
            LOG.error("refused a rule set that should have been validated: {}", e.getMessage());
        }
    }

    private void scheduleNextScan() {
        long now = clock.getAsLong();
        long next = Math.floorDiv(now, 1000L) * 1000 + 1000;
        scanTimer = vertx.setTimer(Math.max(1, next - now), id -> {
            long due = Math.floorDiv(clock.getAsLong(), 1000L) * 1000;
            if (lastScan != Long.MIN_VALUE && due - lastScan > 1000) {
                skipped.increment((due - lastScan) / 1000 - 1);
            }
            if (due > lastScan) {
                scan(due);
            }
            scheduleNextScan();
        });
    }

    private void scan(long t) {
        if (pendingRules != null) {
            engine.replaceRules(pendingRules);
            LOG.info("swapped to {} rules at scan {}", engine.rules().size(), t);
            pendingRules = null;
        }
        long started = System.nanoTime();
        engine.scan(t, this::fired);
        scanCycle.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        symbolsScanned.increment(engine.symbolCount());
        lastScan = t;
        long now = clock.getAsLong();
        for (int k = 0; k < found.size(); k++) {
            Alert alert = found.get(k);
            vertx.eventBus().publish(Addresses.ALERTS, new AlertMessage(alert.alertId(), alert.ruleId(),
                    alert.ruleName(), alert.symbol(), alert.ts(), alert.price(), alert.metricNames(),
                    alert.metricValues(), now));
            tickToAlert.record(Math.max(0, now - stamps[k]), TimeUnit.MILLISECONDS);
        }
        found.clear();
    }

    private void fired(CompiledRule rule, int symbol, long t) {
        if (found.size() == stamps.length) {
            stamps = java.util.Arrays.copyOf(stamps, stamps.length * 2);
        }
        stamps[found.size()] = engine.stamp(symbol);
        found.add(engine.alert(rule, symbol, t));
        Counter emitted = alertsByRule.get(rule.id());
        if (emitted == null) {
            emitted = Counter.builder("alerts_emitted").tag("rule", rule.id()).register(registry);
            alertsByRule.put(rule.id(), emitted);
        }
        emitted.increment();
    }
}
