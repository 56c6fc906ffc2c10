package io.tickscan.bench;

import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.rules.RuleSetReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The engine's work per tick for 10,000 known symbols: finding the symbol's index, then applying the tick to its
 * state. Every invocation applies one tick to each symbol, in the same random order every time and all at the
 * same instant, so no bar completes and the lookup weighs as much as it can. Scores are per tick.
 *
 * <ul>
 *   <li>{@code sameInstances}: each tick carries the very {@code String} the engine stored, as ticks routed on
 *       one node do (local delivery passes the batch itself).</li>
 *   <li>{@code wireCopies}: each tick's symbol is first decoded from its bytes, as {@code TickBatchCodec} does
 *       for a batch from another node: a {@code String} equal to the stored one, another instance, its hash not
 *       computed yet.</li>
 *   <li>{@code decodeOnly}: that decoding alone, the part of {@code wireCopies} that is not the engine's.</li>
 * </ul>
 * With {@code -prof gc}, {@code sameInstances} allocates nothing, and {@code wireCopies} exactly what
 * {@code decodeOnly} does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 12, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 3, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class SymbolLookupBenchmark {
    private static final int SYMBOLS = 10_000;
    /** Every tick's time: one minute, so no bar completes. */
    private static final long TS = 1_700_000_070_000L;

    private ScanEngine engine;
    /** The stored instances, in the order of the ticks. */
    private String[] symbols;
    /** The same symbols as bytes, in the order of the ticks. */
    private byte[][] wire;
    private double[] prices;

    @Setup(Level.Trial)
    public void createTheSymbols() {
        engine = new ScanEngine(RuleSetReader.read(BenchRules.mixed(10), 180), EngineSettings.DEFAULTS, SYMBOLS);
        SplittableRandom random = new SplittableRandom(7);
        Set<String> distinct = new LinkedHashSet<>();
        while (distinct.size() < SYMBOLS) {
            distinct.add(symbol(random));
        }
        String[] names = distinct.toArray(new String[0]);
        for (String name : names) {
            engine.apply(name, TS, 100, 1);
        }
        for (int i = SYMBOLS - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String swap = names[i];
            names[i] = names[j];
            names[j] = swap;
        }
        symbols = names;
        wire = new byte[SYMBOLS][];
        prices = new double[SYMBOLS];
        for (int i = 0; i < SYMBOLS; i++) {
            wire[i] = names[i].getBytes(StandardCharsets.US_ASCII);
            prices[i] = 10 + random.nextDouble() * 200;
        }
    }

    /** A ticker of 3 to 6 capitals. */
    private static String symbol(SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        int length = 3 + random.nextInt(4);
        for (int k = 0; k < length; k++) {
            s.append((char) ('A' + random.nextInt(26)));
        }
        return s.toString();
    }

    @Benchmark
    @OperationsPerInvocation(SYMBOLS)
    public void sameInstances() {
        String[] s = symbols;
        double[] p = prices;
        for (int i = 0; i < SYMBOLS; i++) {
            engine.apply(s[i], TS, p[i], 1);
        }
    }

    @Benchmark
    @OperationsPerInvocation(SYMBOLS)
    public void wireCopies() {
        byte[][] w = wire;
        double[] p = prices;
        for (int i = 0; i < SYMBOLS; i++) {
            engine.apply(new String(w[i], StandardCharsets.US_ASCII), TS, p[i], 1);
        }
    }

    @Benchmark
    @OperationsPerInvocation(SYMBOLS)
    public void decodeOnly(Blackhole hole) {
        byte[][] w = wire;
        for (int i = 0; i < SYMBOLS; i++) {
            hole.consume(new String(w[i], StandardCharsets.US_ASCII));
        }
    }
}
