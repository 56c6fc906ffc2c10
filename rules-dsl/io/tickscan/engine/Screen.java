package io.tickscan.engine;

import java.util.List;

/**
 * What one rule matches at the engine's latest scan: the symbols whose condition held and that pass the rule's
 * universe (listed symbols, inclusive price bounds on {@code last}); the cooldown is not applied. Made by
 * {@link ScanEngine#matches(String)} for a rule the engine runs and by {@link ScanEngine#preview} for a draft.
 *
 * @param scanTs    the scan the matches are as of, epoch milliseconds, or {@link #NO_SCAN} before the first scan
 * @param evaluated false when the rule has not been evaluated yet: before the first scan, or when the rule set was
 *                  swapped in after the latest scan; {@code matches} is then empty
 * @param metrics   canonical names of the metrics the rule reads, in order of first appearance, as in its alerts
 * @param matches   the matching symbols, in the engine's symbol order
 */
public record Screen(long scanTs, boolean evaluated, List<String> metrics, List<Match> matches) {

    /** {@link #scanTs} before the engine's first scan. */
    public static final long NO_SCAN = Long.MIN_VALUE;

    /** Copies the lists. */
    public Screen {
        metrics = List.copyOf(metrics);
        matches = List.copyOf(matches);
    }

    /** No matches, because the rule has not been evaluated since {@code scanTs}. */
    static Screen notEvaluated(long scanTs, List<String> metrics) {
        return new Screen(scanTs, false, metrics, List.of());
    }

    /**
     * One matching symbol.
     *
     * @param symbol the symbol
     * @param price  {@code last} at the scan
     * @param values the value of each metric of {@link Screen#metrics()} at the scan, same order, NaN when
     *               undefined; the array is the match's own
     */
    public record Match(String symbol, double price, double[] values) {
    }
}
