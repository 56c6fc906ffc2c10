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

    /**
     * A rule's evaluation failed at scan {@code t}; the scan goes on with the next rule. By default the failure is
     * thrown on, ending the scan.
     *
     * @param rule    the rule being evaluated
     * @param t       the scan time
     * @param failure what was thrown
     */
    default void failed(CompiledRule rule, long t, RuntimeException failure) {
        throw failure;
    }
}
