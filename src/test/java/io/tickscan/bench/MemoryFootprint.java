package io.tickscan.bench;

import io.tickscan.scanner.RulesFile;
import io.tickscan.engine.EngineSettings;
import io.tickscan.engine.ScanEngine;
import io.tickscan.rules.RuleLimits;
import io.tickscan.rules.RuleSet;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;

/**
 * Measures the heap one symbol costs with the default settings (180 minutes of history) and the default rules
 * ({@code conf/rules.json}): the heap after a full GC with 100,000 symbols in an engine, minus the heap before.
 *
 * <p>Usage: {@code MemoryFootprint [symbols] [rules file]}.
 */
public final class MemoryFootprint {
    private MemoryFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int symbols = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path rulesFile = Path.of(args.length > 1 ? args[1] : "conf/rules.json");
        RuleSet rules = RulesFile.load(rulesFile, RuleLimits.withHistory(EngineSettings.DEFAULT_HISTORY_MINUTES));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        ScanEngine engine = new ScanEngine(rules, EngineSettings.DEFAULTS, symbols);
        long t0 = 1_700_000_040_000L;
        for (int i = 0; i < symbols; i++) {
            engine.apply("SYM" + i, t0 + 1, 100, 1);
        }
        for (int minute = 1; minute <= 3; minute++) {
            engine.scan(t0 + minute * 60_000L, (rule, symbol, t) -> { });
        }
        long after = usedAfterGc(memory);
        System.out.printf("%d symbols, %d rules, history %d minutes: %.0f bytes of heap per symbol measured "
                        + "(%d in the engine's arrays; the rest is the symbol's name and its index entry)%n", symbols, engine.rules().size(),
                EngineSettings.DEFAULT_HISTORY_MINUTES, (after - before) / (double) symbols, engine.bytesPerSymbol());
        if (engine.symbolCount() != symbols) {
            throw new IllegalStateException("engine holds " + engine.symbolCount() + " symbols");
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
