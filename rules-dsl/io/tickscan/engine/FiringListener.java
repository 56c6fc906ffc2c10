package io.tickscan.engine;

/** Receives every firing of a scan, after cooldown, in rule id order and then symbol index order. */
@FunctionalInterface
public interface FiringListener {
    /**
     * @param rule   the rule that fired
     * @param symbol the symbol's index in the engine ({@link ScanEngine#symbol(int)})
     * @param t      the scan time
     */
    void fired(CompiledRule rule, int symbol, long t);
}
