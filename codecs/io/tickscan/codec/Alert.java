package io.tickscan.codec;

import java.util.List;

/**
 * One firing of a rule for a symbol at a scan: made once by the engine (through its {@code AlertFactory}) and
 * published as is on {@link Addresses#ALERTS}, written by replay, and sent to browsers.
 *
 * @param alertId      {@code rule_id + ":" + symbol + ":" + ts}, the same on every node and in replay
 * @param ruleId       the rule's id
 * @param ruleName     the rule's name
 * @param symbol       the symbol
 * @param ts           the scan time, epoch milliseconds
 * @param price        {@code last} at that scan
 * @param metricNames  canonical names of the metrics the rule's condition reads, in order of first appearance
 * @param metricValues their values at that scan, NaN for undefined; same order as {@code metricNames}; never
 *                     written after creation
 */
public record Alert(String alertId, String ruleId, String ruleName, String symbol, long ts, double price,
                    List<String> metricNames, double[] metricValues) {

    /** The value of a metric by canonical name: NaN when undefined or not read by the rule. */
    public double metric(String name) {
        int at = metricNames.indexOf(name);
        return at < 0 ? Double.NaN : metricValues[at];
    }
}
