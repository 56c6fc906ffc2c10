package io.tickscan.bench;

import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.FiringListener;
import io.tickscan.engine.ScanEngine;
import io.tickscan.rules.RuleSetReader;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One scan of 10,000 symbols by 100 rules of mixed shape, each symbol with two hours of 1-minute bars behind it.
 *
 * <ul>
 *   <li>{@code scan}: the scan of every second after one tick, so that every metric and rule is computed again;
 *       one in sixty is also a minute boundary, as in live mode.</li>
 *   <li>{@code scanIdle}: a scan with nothing changed since the previous second (no tick, same minute), which
 *       reuses the metrics and the truth of the rules without a cross: what most scans of a sparse replay are.</li>
 *   <li>{@code scanAtMinuteBoundary}: every call crosses a minute with no scan between, so every symbol's bars
 *       roll and every bar metric is computed from scratch. In live mode the scans of a minute prepare its
 *       boundary's windows; {@code scan} with {@code -bm sample} shows those boundary scans at its p0.99 (one scan
 *       in sixty, with the burst of firings whose cooldowns end together).</li>
 *   <li>{@code scanWithTicks}: 10,000 ticks (one per symbol) applied, then the scan.</li>
 * </ul>
 * ns per (symbol, rule) = the time of one scan / (symbols x rules).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class ScanBenchmark {
    private static final long START = 1_700_000_040_000L; // minute-aligned

    @Param("10000")
    int symbols;

    @Param("100")
    int rules;

    private ScanEngine engine;
    private String[] names;
    private double[] prices;
    private SplittableRandom random;
    private long t;
    private long fired;
    private final FiringListener count = (rule, symbol, at) -> fired++;

    @Setup(Level.Trial)
    public void warmUp() {
        engine = new ScanEngine(RuleSetReader.read(BenchRules.mixed(rules), 180), EngineSettings.DEFAULTS, symbols);
        names = new String[symbols];
        prices = new double[symbols];
        random = new SplittableRandom(1);
        for (int i = 0; i < symbols; i++) {
            names[i] = "SYM" + i;
            prices[i] = 10 + random.nextDouble() * 200;
        }
        t = START;
        for (int minute = 0; minute < 125; minute++) {
            for (int k = 0; k < 3; k++) {
                applyTicks(t + k * 15_000 + 100);
            }
            t += 60_000;
            engine.scan(t, count);
        }
    }

    private void applyTicks(long ts) {
        for (int i = 0; i < symbols; i++) {
            prices[i] *= 1 + (random.nextDouble() - 0.5) * 0.004;
            engine.apply(names[i], ts, prices[i], 1 + random.nextInt(100));
        }
    }

    @Benchmark
    public long scan() {
        int i = (int) (t / 1000 % symbols);
        prices[i] *= 1.001;
        engine.apply(names[i], t + 500, prices[i], 10);
        t += 1_000;
        engine.scan(t, count);
        return fired;
    }

    @Benchmark
    public long scanIdle() {
        t += 1_000;
        engine.scan(t, count);
        return fired;
    }

    @Benchmark
    public long scanAtMinuteBoundary() {
        t += 60_000;
        engine.scan(t, count);
        return fired;
    }

    @Benchmark
    public long scanWithTicks(Blackhole hole) {
        applyTicks(t + 500);
        t += 1_000;
        engine.scan(t, count);
        hole.consume(prices);
        return fired;
    }
}
