package io.tickscan.engine;

import java.util.List;

/**
 * Makes the caller's alert from a firing's values ({@link ScanEngine#alert}): the engine knows no alert type of
 * its own, so the object it makes is the one that travels on.
 *
 * @param <A> the alert type
 */
@FunctionalInterface
public interface AlertFactory<A> {

    /**
     * One alert, whose id is {@code rule_id + ":" + symbol + ":" + ts} (the same everywhere; the engine does not make
     * it: most are wanted later, on other threads).
     *
     * @param ruleId       the rule's id
     * @param ruleName     the rule's name
     * @param symbol       the symbol
     * @param ts           the scan time, epoch milliseconds
     * @param price        {@code last} at that scan
     * @param metricNames  canonical names of the metrics the rule reads, in order of first appearance
     * @param metricValues their values (NaN for undefined), same order; a fresh array the alert may keep
     */
    A create(String ruleId, String ruleName, String symbol, long ts, double price, List<String> metricNames,
             double[] metricValues);
}
