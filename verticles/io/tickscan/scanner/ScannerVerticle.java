package io.tickscan.scanner;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.codec.TickBatch;
import io.tickscan.config.NodeConfig;
import io.tickscan.engine.CompiledRule;
import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.FiringListener;
import io.tickscan.engine.ScanEngine;
import io.tickscan.engine.StateImport;
import io.tickscan.engine.TickRejectReason;
import io.tickscan.routing.Partitioner;
import io.tickscan.redis.RedisClients;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scanner instance: owns some partitions, applies their ticks to its engine as batches arrive, and scans at
 * every whole second of its clock ({@link ScanSchedule}), publishing each alert it finds on
 * {@link Addresses#ALERTS_FOUND} (node-local) to the node's alert pipeline, which deduplicates, stores and
 * publishes it cluster-wide ({@code tick_to_alert} is measured here, at that hand-over). A rule set published on {@link Addresses#RULES_APPLY} by this node's rules verticle is swapped in at the next scan;
 * the set it starts with is the one that verticle holds ({@link Addresses#RULES_CURRENT}).
 *
 * <p>Live equals replay: the scan of second {@code s} runs at {@code s + scanner.grace_ms} at the earliest, once
 * every Kafka partition of the topic is delivered past {@code s} ({@link SourceWatermarks}, waiting at most
 * {@code scanner.watermark_wait_ms}), and covers exactly the ticks stamped before {@code s}, whatever their order of
 * arrival; seconds held are scanned one after the other ({@link ScanSchedule}). A tick stamped at or after the second scanned
 * next is held ({@link HeldTicks}, at most {@code scanner.hold_ticks}) and applied right after that scan; a tick
 * whose second was already scanned is applied for the next scan and counted ({@code ticks_after_scan_total}).
 * A partition taken from a checkpoint behind its clock catches up in a lane of its own before it joins the
 * engine ({@link CatchUpLanes}): its ticks go to the lane meanwhile, and the lane's alerts are published as its own.
 *
 * <p>It never stops scanning: a tick that fails is skipped and counted ({@code batch_failures_total}), a rule
 * that fails is skipped for that scan and a scan that fails is abandoned, both counted
 * ({@code scan_failures_total}); each distinct failure is logged once, and the next scan runs on time.
 *
 * <p>It answers the scanner queries of {@link Addresses#SCANNER_QUERY} (the live screener, the preview of a draft
 * rule, a symbol's snapshot) on its own context, between scans, and is listed in
 * {@link Addresses#SCANNER_REGISTRY} while it runs ({@link QueryEndpoint}).
 *
 * <p>Config: {@code instance} (its id), {@code node} (its node's id), {@code member} (its cluster member's id, null
 * when standalone), {@code partitions} (the partitions it owns), {@code engine} (the
 * {@code engine.*} settings), {@code rules} (the {@code rules.*} settings), {@code scanner} (the
 * {@code scanner.*} settings), {@code redis} (the {@code redis.*} settings: with a {@code url}, the owned
 * partitions' state is read back from and checkpointed to Redis, {@link Checkpoints}) and {@code partition_count}
 * (P). Scanning starts when {@link Addresses#SCANNERS_START} is published on this node.
 */
public final class ScannerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(ScannerVerticle.class);
    /** The second of a lane's scan, whose alerts are of seconds past and not timed. */
    private static final long UNTIMED = Long.MIN_VALUE;

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final ScanSchedule.Timers timers;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();
    private final List<Alert> found = new ArrayList<>();
    private final Map<String, RuleMeter> alertsByRule = new HashMap<>();
    private final FailureLog failures = new FailureLog(LOG);
    private final List<Meter> instanceMeters = new ArrayList<>();
    private final Firings firings = new Firings();
    private long[] stamps = new long[64];
    private String instance;
    private ScanEngine engine;
    private QueryEndpoint queries;
    private RuleLimits limits;
    private RuleSet pendingRules;
    private long pendingVersion;
    private volatile long rulesVersion;
    private long futureToleranceMs;
    private ScanSchedule schedule;
    private Timer scanCycle;
    private Timer tickToAlert;
    private Timer alertDelay;
    private Counter symbolsScanned;
    private Counter processed;
    private Counter future;
    private Counter late;
    private Counter scanFailures;
    private Counter ticksAfterScan;
    private Counter holdOverflow;
    private HeldTicks held;
    private final HeldTicks.Sink releaser = (symbol, ts, price, size, arrivedAt) ->
            applyHeld(engine, symbol, ts, price, size, arrivedAt);
    /** The rule set the engine runs (lanes are made with it). */
    private RuleSet ruleSet;
    private EngineSettings settings;
    /** The partitions restored from a checkpoint that catch up before they join the engine. */
    private CatchUpLanes lanes;
    private Counter batchFailures;
    private Counter takenAlready;
    private AcceptedOffsets accepted;
    /** Null when there is no Redis. */
    private Checkpoints checkpoints;
    private OwnedPartitions owned;
    /** How far the cluster's Kafka sources have delivered: the gate of each scan. */
    private SourceWatermarks watermarks;
    private final OwnershipLease lease;
    private Counter scansWithoutLease;

    /**
     * A scanner on Vert.x timers.
     *
     * @param registry where the scanner's meters go
     * @param clock    wall-clock milliseconds
     */
    public ScannerVerticle(MeterRegistry registry, LongSupplier clock) {
        this(registry, clock, null, OwnershipLease.unconditional());
    }

    /**
     * A scanner on the given timers (tests fire them by hand).
     *
     * @param registry where the scanner's meters go
     * @param clock    wall-clock milliseconds (a controllable clock in tests)
     * @param timers   the scan schedule's timers, or null for Vert.x's
     * @param lease    the node's ownership lease: no scan and no checkpoint write while it does not hold
     */
    public ScannerVerticle(MeterRegistry registry, LongSupplier clock, ScanSchedule.Timers timers,
                           OwnershipLease lease) {
        this.registry = registry;
        this.clock = clock;
        this.timers = timers;
        this.lease = lease;
    }

    @Override
    public Future<?> start() {
        JsonObject conf = config();
        instance = conf.getString("instance");
        settings = NodeConfig.engineSettings(conf.getJsonObject("engine"));
        limits = NodeConfig.ruleLimits(conf.getJsonObject("engine"), conf.getJsonObject("rules"));
        futureToleranceMs = conf.getJsonObject("engine").getLong("future_tolerance_ms");
        JsonObject scanner = conf.getJsonObject("scanner");
        held = new HeldTicks(scanner.getInteger("hold_ticks"));
        watermarks = new SourceWatermarks(conf.getString("kafka_topic"));
        accepted = new AcceptedOffsets(conf.getInteger("partition_count"));
        JsonArray partitions = conf.getJsonArray("partitions");
        // subscribed before the current set is asked for, so that no version adopted in between is missed
        MessageConsumer<JsonObject> rules = vertx.eventBus().localConsumer(Addresses.RULES_APPLY, this::onRules);
        consumers.add(rules);
        return rules.completion()
                .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.RULES_CURRENT, null, Addresses.local()))
                .compose(current -> {
                    ruleSet = RulesFile.parse(current.body().getString("text"), limits);
                    engine = new ScanEngine(ruleSet, settings);
                    rulesVersion = current.body().getLong("version");
                    meters();
                    schedule = new ScanSchedule(clock, timers != null ? timers : new VertxTimers(), this::scan,
                            Counter.builder("scans_skipped").description("Seconds not scanned: after a pause longer "
                                    + "than scanner.watermark_wait_ms, or a scan forced past it").register(registry),
                            graceMs(conf), watermarks::reached, scanner.getLong("watermark_wait_ms"),
                            Counter.builder("scans_forced").description("Scans run without every tick before their "
                                    + "second delivered, after waiting scanner.watermark_wait_ms for a Kafka "
                                    + "partition's watermark").register(registry));
                    lanes = new CatchUpLanes(conf.getInteger("partition_count"), engine,
                            () -> new ScanEngine(ruleSet, settings, 64), watermarks, scanner.getInteger("hold_ticks"),
                            scanner.getLong("watermark_wait_ms"), graceMs(conf), clock,
                            this::scanLane, this::applyHeld, this::takeRestored, (p, readThrough) -> {
                                askAgain(accepted.rereadDone(p, readThrough));
                                if (checkpoints != null) {
                                    checkpoints.changed(p);
                                }
                            });
                    return takePartitions(conf, partitions);
                })
                .compose(taken -> {
                    consumers.add(vertx.eventBus().localConsumer(Addresses.SCANNERS_START, m -> schedule.start()));
                    if (conf.getString("kafka_topic") != null) {
                        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.KAFKA_WATERMARKS,
                                m -> onWatermarks(m.body())));
                    }
                    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.OWNERSHIP, m ->
                            owned.apply(m.body()).onComplete(applied -> ownershipApplied(m.body().getLong("epoch")))));
                    consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.OWNERSHIP_REPAIR, m ->
                            owned.reregister(m.body().getJsonArray("partitions"), m.body().getLong("checked_at_ns"))));
                    queries = new QueryEndpoint(vertx, new QueryAnswers(engine, limits, instance,
                            conf.getString("node")), new JsonObject().put("instance", instance)
                            .put("node", conf.getString("node")).put("member", conf.getString("member"))
                            .put("node_instances", conf.getInteger("node_instances", 1)), failures);
                    LOG.info("scanner {} owns {} partitions, rules version {} ({} rules)", instance,
                            owned.count(), rulesVersion, engine.rules().size());
                    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
                            .compose(all -> queries.start());
                });
    }

    /**
     * Sets up the partitions' states, their checkpoints when Redis is configured ({@link Checkpoints}), and takes
     * the {@code partitions} the scanner starts with (from Redis, or empty); the rest come with the ownership table
     * ({@link OwnedPartitions}).
     */
    private Future<Void> takePartitions(JsonObject conf, JsonArray partitions) {
        JsonObject redis = conf.getJsonObject("redis");
        int partitionCount = conf.getInteger("partition_count");
        PartitionStates states = new PartitionStates(engine, new Partitioner(partitionCount), held,
                this::takeRestored, this::followEngineClock);
        states.catchUpIn(lanes);
        if (RedisClients.configured(redis)) {
            Counter checkpointFailures = Counter.builder("checkpoint_failures").description("Reads and writes of "
                    + "scanner state checkpoints in Redis that failed (tried again at the next interval)")
                    .register(registry);
            // sized like the node's client: a scanner asks for all its partitions at once at start and on stop
            checkpoints = new Checkpoints(vertx, RedisClients.create(vertx, redis),
                    redis.getLong("checkpoint_interval_ms"), states, partitionCount, instance, checkpointFailures,
                    failures, accepted, conf.getString("kafka_topic"), lease, Counter.builder("checkpoints_refused")
                    .description("Checkpoint writes refused because another instance took the partition later "
                            + "(this one was a stale owner, and gave the partition up)").register(registry),
                    p -> owned.lost(p).onComplete(v -> ownershipApplied(null)), watermarks::acknowledged);
            checkpoints.start();
        }
        owned = new OwnedPartitions(vertx, instance, conf.getString("node"), partitionCount, this::onBatch, states,
                accepted, checkpoints, conf.getString("kafka_topic"), failures, lease);
        return owned.start(partitions.stream().map(p -> (Integer) p).toList());
    }

    @Override
    public Future<?> stop() {
        if (schedule != null) {
            schedule.stop();
        }
        // this instance's own meters go with it (a later owner of the same id registers its own)
        instanceMeters.forEach(registry::remove);
        // the partitions go to their next owners before this instance leaves the registry, which moves them
        Future<Void> given = owned != null ? owned.leave() : Future.succeededFuture();
        Future<Void> leaving = given.compose(v -> queries != null ? queries.stop() : Future.succeededFuture());
        Future<?> unregistered = leaving.compose(v -> Future.all(consumers.stream()
                .map(MessageConsumer::unregister).toList()));
        if (checkpoints == null) {
            return unregistered;
        }
        // hand-over: no tick comes any more; the held ones are written with the state the next owner reads
        return unregistered.compose(v -> checkpoints.stop());
    }

    /**
     * Takes a Kafka source's watermark report into the lanes and the scan schedule's gate; a report that cannot be
     * read (another version's, say) is dropped whole and logged, once per kind of fault.
     */
    private void onWatermarks(JsonObject report) {
        try {
            if (lanes.observe(report) && lease.holds()) {
                advanceLanes();
            }
            if (watermarks.update(report)) {
                schedule.poke();
            }
        } catch (RuntimeException e) {
            failures.failed("reading a Kafka watermark report on scanner " + instance, e);
        }
    }

    /** Tells the node's ownership verticle how many partitions this instance holds now, after a table or a loss. */
    private void ownershipApplied(Long epoch) {
        vertx.eventBus().publish(Addresses.OWNERSHIP_APPLIED, new JsonObject().put("instance", instance)
                .put("epoch", epoch).put("partitions", owned.count()), Addresses.local());
    }

    /**
     * After a state was taken: when the engine, holding nothing else, took its owner's last scan as its own, the
     * schedule follows, so that the seconds that owner had not scanned (held for the watermarks when it gave the
     * partition up) are scanned here.
     */
    private void followEngineClock(StateImport imported) {
        if (imported.clockTaken()) {
            LOG.info("scanner {} took a state scanned up to {} and held nothing else: it scans on from there",
                    instance, java.time.Instant.ofEpochMilli(engine.lastScan()));
            schedule.moveTo(engine.lastScan());
        }
    }

    /** Takes a tick held when a checkpoint was written, read back with it: held again, or applied when due. */
    private void takeRestored(String symbol, long ts, double price, double size, long arrivedAt) {
        if (ts >= schedule.nextScan() && held.hold(symbol, ts, price, size, arrivedAt)) {
            return;
        }
        applyHeld(engine, symbol, ts, price, size, arrivedAt);
    }

    private void meters() {
        scanCycle = Timer.builder("scan_cycle").description("Time of one scan of every symbol by every rule")
                .tag("instance", instance).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry);
        instanceMeters.add(scanCycle);
        tickToAlert = Timer.builder("tick_to_alert").description("From the arrival of a symbol's newest tick to "
                        + "the publication of its alert").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        alertDelay = Timer.builder("alert_delay").description("From the end of the second a scan covers to the "
                        + "publication of its alerts: what the node adds to the wait for the second itself")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        symbolsScanned = Counter.builder("symbols_scanned").register(registry);
        processed = Counter.builder("tick_processed").description("Ticks applied by scanners").register(registry);
        future = Counter.builder("ticks_rejected").tag("reason", TickRejectReason.FUTURE.label())
                .tag("source", "scanner").register(registry);
        late = Counter.builder("ticks_rejected").tag("reason", "late").tag("source", "scanner").register(registry);
        scanFailures = Counter.builder("scan_failures").description("Scans abandoned and rules skipped in a scan "
                + "because of an error").register(registry);
        batchFailures = Counter.builder("batch_failures").description("Ticks of a batch that failed to apply")
                .register(registry);
        ticksAfterScan = Counter.builder("ticks_after_scan").description("Ticks that arrived after the scan of "
                + "their second had run (applied for the next scan; raise scanner.grace_ms if this grows)")
                .register(registry);
        scansWithoutLease = Counter.builder("scans_fenced").description("Scans not run because the node's "
                + "ownership lease had lapsed (the node was frozen, or is fenced off the cluster)").register(registry);
        takenAlready = Counter.builder("ticks_taken_already").description("Ticks read again from Kafka (after a "
                + "restart from a checkpoint, or a rewind of the source) that their partition had taken: skipped")
                .register(registry);
        holdOverflow = Counter.builder("ticks_hold_overflow").description("Ticks stamped at or after the next "
                + "scan applied at once because scanner.hold_ticks were held already").register(registry);
        instanceMeters.add(Gauge.builder("tick_gaps_given_up", accepted, AcceptedOffsets::gapsGivenUp)
                .description("Gaps in a partition's Kafka ticks (a batch lost on its way to a dead owner) not filled "
                        + "by a read again in time: the ticks they lacked were not applied").tag("instance", instance)
                .register(registry));
        instanceMeters.add(Gauge.builder("partitions_catching_up", lanes, CatchUpLanes::size).description(
                "Partitions restored from a checkpoint (or handed over with a state) behind the scanner's clock "
                        + "that catch up in a lane of their own, scanned second by second as their Kafka ticks are "
                        + "read again, before they join its engine").tag("instance", instance).register(registry));
        instanceMeters.add(FunctionCounter.builder("partition_catch_ups", lanes, CatchUpLanes::caughtUp)
                .description("Partitions that caught up in a lane and joined the scanner's engine")
                .tag("instance", instance).tag("end", "caught_up").register(registry));
        instanceMeters.add(FunctionCounter.builder("partition_catch_ups", lanes, CatchUpLanes::forced)
                .description("Partitions that caught up in a lane and joined the scanner's engine")
                .tag("instance", instance).tag("end", "forced").register(registry));
        instanceMeters.add(Gauge.builder("rules_version", () -> rulesVersion)
                .description("Version of the rule set a scanner runs").tag("instance", instance).register(registry));
    }

    private void onBatch(Message<TickBatch> message) {
        TickBatch batch = message.body();
        CatchUpLanes.Lane lane = lanes.of(batch.partition());
        if (lane == null) {
            long next = schedule.nextScan();
            // the second scanned next moved on without a scan (before the first one, or after a timer ran late):
            // what was held for it goes first, so that a symbol's ticks are applied in the order of their stamps
            releaseHeld(engine, held, releaser, next);
            applyBatch(batch, engine, held, next, schedule.lastScan());
        } else {
            applyBatch(batch, lane.engine, lane.held, lane.nextScan(), lane.engine.lastScan());
        }
        message.reply(null);
    }

    /**
     * Applies a batch to {@code target}, the scanner's engine or a lane's: a tick stamped at or after {@code next}
     * (the second it scans next) is held in {@code holding}; {@code last} is the second it scanned last.
     */
    private void applyBatch(TickBatch batch, ScanEngine target, HeldTicks holding, long next, long last) {
        long now = clock.getAsLong();
        long horizon = now + futureToleranceMs;
        long appliedBefore = target.appliedTicks();
        long lateBefore = target.lateTicks();
        int tooFarAhead = 0;
        int afterScan = 0;
        int overflow = 0;
        int again = 0;
        long[] origins = batch.origins();
        long[] previous = batch.previous();
        int i = 0;
        while (i < batch.size()) {
            try {
                for (; i < batch.size(); i++) {
                    long ts = batch.timestamps()[i];
                    String symbol = batch.symbols()[i];
                    if (symbol == null) {
                        throw new NullPointerException("a tick without symbol");
                    }
                    if (origins != null && !accepted.accept(batch.partition(), origins[i],
                            previous != null ? previous[i] : -1, now)) {
                        again++;
                    } else if (ts > horizon) {
                        tooFarAhead++;
                    } else if (ts < next) {
                        if (ts < last) {
                            afterScan++; // its second was scanned without it: applied for the next scan
                        }
                        target.apply(symbol, ts, batch.prices()[i], batch.sizes()[i], batch.arrivedAt());
                    } else if (!holding.hold(symbol, ts, batch.prices()[i], batch.sizes()[i], batch.arrivedAt())) {
                        overflow++;
                        target.apply(symbol, ts, batch.prices()[i], batch.sizes()[i], batch.arrivedAt());
                    }
                }
            } catch (RuntimeException e) {
                batchFailures.increment();
                failures.failed("applying a tick of partition " + batch.partition() + " on scanner " + instance, e);
                i++;
            }
        }
        countApplied(target, appliedBefore, lateBefore);
        if (checkpoints != null) {
            checkpoints.changed(batch.partition());
        }
        if (tooFarAhead > 0) {
            future.increment(tooFarAhead);
        }
        if (afterScan > 0) {
            ticksAfterScan.increment(afterScan);
        }
        if (overflow > 0) {
            holdOverflow.increment(overflow);
        }
        if (again > 0) {
            takenAlready.increment(again);
        }
    }

    /** Adds the ticks {@code target} applied and found late since it had {@code appliedBefore}, {@code lateBefore}. */
    private void countApplied(ScanEngine target, long appliedBefore, long lateBefore) {
        processed.increment(target.appliedTicks() - appliedBefore);
        if (target.lateTicks() != lateBefore) {
            late.increment(target.lateTicks() - lateBefore);
        }
    }

    /**
     * Asks the Kafka sources to read {@code from} (Kafka partition to offset) again: the ticks a lane left for a
     * re-read that did not come before it joined.
     */
    private void askAgain(Map<Integer, Long> from) {
        String topic = config().getString("kafka_topic");
        if (from.isEmpty() || topic == null) {
            return;
        }
        JsonObject offsets = new JsonObject();
        from.forEach((k, offset) -> offsets.put(Integer.toString(k), offset));
        LOG.debug("scanner {}: a lane joined before Kafka partitions {} were read again: asked for again", instance,
                from.keySet());
        vertx.eventBus().publish(Addresses.KAFKA_REREAD, new JsonObject().put("topic", topic).put("from", offsets));
    }

    /**
     * When after its second this instance scans: {@code scanner.grace_ms}, plus {@code scanner.stagger_ms} for each
     * instance of the node before it, so that the node's instances do not all scan (and build a minute's burst of
     * alerts) at the same moment on the same cores.
     */
    static long graceMs(JsonObject conf) {
        JsonObject scanner = conf.getJsonObject("scanner");
        return scanner.getLong("grace_ms") + conf.getInteger("index", 0) * scanner.getLong("stagger_ms", 0L);
    }

    private void onRules(Message<JsonObject> message) {
        long version = message.body().getLong("version");
        if (version == (pendingRules != null ? pendingVersion : rulesVersion)) {
            return;
        }
        try {
            pendingRules = RulesFile.parse(message.body().getString("text"), limits);
            pendingVersion = version;
        } catch (RuntimeException e) {
            failures.failed("reading rules version " + version + " on scanner " + instance, e);
        }
    }

    private void scan(long t) {
        // held while the scan of an earlier second was pending, skipped since: this scan's ticks
        releaseHeld(engine, held, releaser, t);
        if (!lease.holds()) { // frozen, or fenced: its partitions may have moved, it must not publish on them
            scansWithoutLease.increment();
            releaseHeld(engine, held, releaser, t + 1000);
            return;
        }
        try {
            if (pendingRules != null) {
                swapRules();
            }
            long started = System.nanoTime();
            firings.scanning(engine);
            engine.scan(t, firings);
            scanCycle.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            symbolsScanned.increment(engine.symbolCount());
            publishFound(t);
        } catch (RuntimeException e) {
            scanFailures.increment();
            failures.failed("the scan by scanner " + instance, e);
        } finally {
            found.clear();
            releaseHeld(engine, held, releaser, t + 1000);
        }
        advanceLanes(); // lanes that reach this scan join the engine, which scans their symbols from the next one
    }

    /** Scans the lanes on as far as they may go ({@link CatchUpLanes#advance}); a failure is counted. */
    private void advanceLanes() {
        try {
            lanes.advance();
        } catch (RuntimeException e) {
            scanFailures.increment();
            failures.failed("catching a restored partition up on scanner " + instance, e);
        }
    }

    /**
     * A lane's scan of second {@code t}, its alerts published as the scanner's (not while the lease has lapsed: a
     * hand-over of a woken node joins its lanes without publishing); they are not timed in {@code tick_to_alert},
     * being of seconds past.
     */
    private void scanLane(CatchUpLanes.Lane lane, long t) {
        releaseHeld(lane.engine, lane.held, lane.apply, t);
        try {
            firings.scanning(lane.engine);
            lane.engine.scan(t, firings);
            if (lease.holds()) {
                publishFound(UNTIMED);
            }
        } catch (RuntimeException e) {
            scanFailures.increment();
            failures.failed("the scan of a catching-up partition by scanner " + instance, e);
        } finally {
            found.clear();
            firings.scanning(engine);
            releaseHeld(lane.engine, lane.held, lane.apply, t + 1000);
        }
    }

    /** Applies {@code from}'s held ticks stamped before {@code next} to {@code target}: those its next scan covers. */
    private void releaseHeld(ScanEngine target, HeldTicks from, HeldTicks.Sink sink, long next) {
        if (from.earliest() >= next) {
            return;
        }
        long appliedBefore = target.appliedTicks();
        long lateBefore = target.lateTicks();
        from.releaseBefore(next, sink);
        countApplied(target, appliedBefore, lateBefore);
    }

    /** Applies a held tick to {@code target}; a failure is counted and logged (a held tick's sink never throws). */
    private void applyHeld(ScanEngine target, String symbol, long ts, double price, double size, long arrivedAt) {
        try {
            target.apply(symbol, ts, price, size, arrivedAt);
        } catch (RuntimeException e) {
            batchFailures.increment();
            failures.failed("applying a held tick on scanner " + instance, e);
        }
    }

    private void swapRules() {
        RuleSet next = pendingRules;
        pendingRules = null; // taken once, even if a lane fails it
        engine.replaceRules(next);
        ruleSet = next;
        rulesVersion = pendingVersion;
        lanes.replaceRules(next);
        LOG.info("scanner {} runs rules version {} ({} rules)", instance, rulesVersion, engine.rules().size());
        Set<String> ids = engine.rules().stream().map(CompiledRule::id).collect(Collectors.toSet());
        alertsByRule.entrySet().removeIf(e -> {
            if (ids.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().counter);
            return true;
        });
        // another instance may have removed a kept rule's counter while it ran a set without that rule
        alertsByRule.replaceAll((id, meter) -> new RuleMeter(alertCounter(id)));
    }

    private Counter alertCounter(String ruleId) {
        return Counter.builder("alerts_emitted").tag("rule", ruleId).register(registry);
    }

    /**
     * Publishes the alerts found by the scan of second {@code t}, timing each from its symbol's newest tick and from
     * the second's end, unless {@code t} is {@link #UNTIMED}.
     */
    private void publishFound(long t) {
        boolean timed = t != UNTIMED;
        if (!found.isEmpty()) {
            for (RuleMeter meter : alertsByRule.values()) {
                meter.flush();
            }
        }
        long now = clock.getAsLong();
        for (int k = 0; k < found.size(); k++) {
            vertx.eventBus().publish(Addresses.ALERTS_FOUND, found.get(k), Addresses.local());
            if (timed) {
                tickToAlert.record(Math.max(0, now - stamps[k]), TimeUnit.MILLISECONDS);
                alertDelay.record(Math.max(0, now - t), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Collects the firings of a scan, of the scanner's engine or a lane's, and counts the rules that fail. */
    private final class Firings implements FiringListener {
        private ScanEngine scanned;

        /** The engine whose scan comes next. */
        void scanning(ScanEngine scanning) {
            scanned = scanning;
        }

        @Override
        public void fired(CompiledRule rule, int symbol, long t) {
            if (found.size() == stamps.length) {
                stamps = Arrays.copyOf(stamps, stamps.length * 2);
            }
            stamps[found.size()] = scanned.stamp(symbol);
            if (checkpoints != null && scanned == engine) { // a lane's partition is written once it has joined
                checkpoints.fired(symbol);
            }
            found.add(scanned.alert(rule, symbol, t, Alert::new));
            RuleMeter emitted = alertsByRule.get(rule.id());
            if (emitted == null) {
                emitted = new RuleMeter(alertCounter(rule.id()));
                alertsByRule.put(rule.id(), emitted);
            }
            emitted.pending++;
        }

        @Override
        public void failed(CompiledRule rule, long t, RuntimeException failure) {
            scanFailures.increment();
            failures.failed("rule '" + rule.id() + "' on scanner " + instance, failure);
        }
    }

    /** A rule's {@code alerts_emitted} counter and its firings of the scan under way, added once per scan. */
    private static final class RuleMeter {
        final Counter counter;
        long pending;

        RuleMeter(Counter counter) {
            this.counter = counter;
        }

        void flush() {
            if (pending > 0) {
                counter.increment(pending);
                pending = 0;
            }
        }
    }

    /** Vert.x's own timers, on this verticle's context. */
    private final class VertxTimers implements ScanSchedule.Timers {
        @Override
        public long set(long delayMs, java.util.function.LongConsumer task) {
            return vertx.setTimer(delayMs, task::accept);
        }

        @Override
        public void cancel(long id) {
            vertx.cancelTimer(id);
        }
    }
}
