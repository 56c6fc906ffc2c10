package io.tickscan.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.routing.TickRouter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in feed: random walks for {@code symbols} symbols at {@code ticks_per_second} ticks a second in
 * all, with bursts (a few minutes of trend and triple volume on a few symbols at a time) so that the default
 * rules fire a few alerts a minute. Before going live it lays down {@code backfill_minutes} of history (a few
 * ticks a minute per symbol, the same volume per minute), so rules that need an hour of bars work from the
 * first minute, with a few bursts already under way. Deterministic for a seed, apart from wall-clock timing. When the routing buffer is full it
 * generates nothing (paced), counting what it held back.
 *
 * <p>Config: {@code simulator} (the {@code sources.simulator.*} settings), {@code routing}, {@code partitions}.
 */
public final class SimulatorVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatorVerticle.class);
    private static final int STEP_MS = 10;
    private static final int BACKFILL_TICKS_PER_MINUTE = 4;
    private static final double MINUTE_VOLATILITY = 0.001;
    private static final double BURSTS_PER_MINUTE = 3;
    private static final int OPENING_BURSTS = 6;
    private static final long BACKFILL_DRAIN_MS = 60_000;
    private static final double BURST_VOLUME = 3;
    private static final double BURST_TREND_PER_MINUTE = 0.003;

    private final MeterRegistry registry;
    private final LongSupplier clock;
    private SourceCounters counters;
    private TickRouter router;
    private SplittableRandom random;
    private String[] names;
    private double[] prices;
    private double[] trend;
    private long[] burstFrom;
    private long[] burstUntil;
    private double ticksPerMs;
    /** When the last step ran; -1 before the first. */
    private long lastStep = -1;
    private double ticksPerMinutePerSymbol;
    private double owed;
    private long timer = -1;

    /**
     * @param registry where the source's meters go
     * @param clock    wall-clock milliseconds
     */
    public SimulatorVerticle(MeterRegistry registry, LongSupplier clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        JsonObject sim = config().getJsonObject("simulator");
        int symbols = sim.getInteger("symbols");
        random = new SplittableRandom(sim.getLong("seed"));
        names = new String[symbols];
        prices = new double[symbols];
        trend = new double[symbols];
        burstFrom = new long[symbols];
        burstUntil = new long[symbols];
        for (int i = 0; i < symbols; i++) {
            names[i] = String.format("SIM%04d", i);
            prices[i] = 5 + random.nextDouble() * 495;
        }
        int rate = sim.getInteger("ticks_per_second");
        ticksPerMs = rate / 1000.0;
        ticksPerMinutePerSymbol = rate * 60.0 / symbols;
        counters = new SourceCounters(registry, "simulator");
        router = TickRouter.forSource(vertx, config(), registry, "simulator");
        Promise<Void> backfilled = Promise.promise();
        long now = clock.getAsLong();
        for (int k = 0; k < OPENING_BURSTS; k++) {
            startBurst(random.nextInt(symbols), now - (2 + random.nextInt(4)) * 60_000L);
        }
        long firstMinute = Math.floorDiv(now, 60_000L) - sim.getInteger("backfill_minutes");
        backfill(firstMinute, Math.floorDiv(now, 60_000L), backfilled);
        return backfilled.future().onSuccess(v -> {
            LOG.info("simulator: {} symbols, {} ticks/s, {} minutes of history laid down", symbols, rate,
                    sim.getInteger("backfill_minutes"));
            timer = vertx.setPeriodic(STEP_MS, id -> step());
        });
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return router.close(SourceCounters.DRAIN_MS);
    }

    /** One minute of history per turn of the event loop, waiting whenever the buffer is full. */
    private void backfill(long minute, long until, Promise<Void> done) {
        if (minute >= until) {
            router.drained(BACKFILL_DRAIN_MS).onComplete(done);
            return;
        }
        if (!router.hasRoom()) {
            vertx.setTimer(1, id -> backfill(minute, until, done));
            return;
        }
        double size = ticksPerMinutePerSymbol / BACKFILL_TICKS_PER_MINUTE;
        double sigma = MINUTE_VOLATILITY / Math.sqrt(BACKFILL_TICKS_PER_MINUTE);
        long refused = 0;
        for (int k = 0; k < BACKFILL_TICKS_PER_MINUTE; k++) {
            long ts = minute * 60_000 + k * (60_000 / BACKFILL_TICKS_PER_MINUTE) + random.nextInt(1000);
            for (int i = 0; i < names.length; i++) {
                boolean burst = inBurst(i, ts);
                prices[i] *= 1 + (burst ? trend[i] / BACKFILL_TICKS_PER_MINUTE : 0) + sigma * random.nextGaussian();
                double volume = burst ? BURST_VOLUME : 1;
                if (!router.offer(names[i], ts, round(prices[i]), round(volume * size * (0.5 + random.nextDouble())),
                        ts)) {
                    refused++;
                }
            }
        }
        if (refused > 0) {
            counters.throttled(refused);
        }
        vertx.runOnContext(v -> backfill(minute + 1, until, done));
    }

    /**
     * Generates the ticks owed since the last step, by the clock: a step that runs late (a busy event loop, a
     * pause) makes up for it, within a second, so that the feed keeps its rate and live volumes match the history's.
     */
    private void step() {
        long now = clock.getAsLong();
        long elapsed = lastStep < 0 ? STEP_MS : Math.min(Math.max(0, now - lastStep), 1000);
        lastStep = now;
        maybeStartBursts(now, elapsed);
        owed += ticksPerMs * elapsed;
        int n = (int) owed;
        owed -= n;
        double perTick = Math.max(1, ticksPerMinutePerSymbol);
        double sigma = MINUTE_VOLATILITY / Math.sqrt(perTick);
        for (int k = 0; k < n; k++) {
            int i = random.nextInt(names.length);
            boolean burst = inBurst(i, now);
            prices[i] *= 1 + (burst ? trend[i] / perTick : 0) + sigma * random.nextGaussian();
            double size = round((burst ? BURST_VOLUME : 1) * (0.5 + random.nextDouble()));
            if (!router.offer(names[i], now, round(prices[i]), size, now)) {
                counters.throttled(n - k);
                return;
            }
        }
    }

    /** Starts a few bursts a minute: in {@code elapsed} ms, one with the chance of that share of a minute. */
    private void maybeStartBursts(long now, long elapsed) {
        if (random.nextDouble() < BURSTS_PER_MINUTE * elapsed / 60_000.0) {
            startBurst(random.nextInt(names.length), now);
        }
    }

    /** A burst: 3 to 8 minutes of a 0.3 %/min trend, up or down, on triple volume. */
    private void startBurst(int i, long from) {
        trend[i] = random.nextBoolean() ? BURST_TREND_PER_MINUTE : -BURST_TREND_PER_MINUTE;
        burstFrom[i] = from;
        burstUntil[i] = from + (3 + random.nextInt(6)) * 60_000L;
    }

    private boolean inBurst(int i, long ts) {
        return ts >= burstFrom[i] && ts < burstUntil[i];
    }

    /** To the cent (prices) or the hundredth (sizes), never below 0.01. */
    private static double round(double value) {
        return Math.max(0.01, Math.round(value * 100) / 100.0);
    }
}
