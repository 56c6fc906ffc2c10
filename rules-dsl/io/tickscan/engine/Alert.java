package io.tickscan.engine;

import java.util.List;

/**
 * One firing of a rule for a symbol at a scan.
 *
 * @param alertId      {@code rule_id + ":" + symbol + ":" + ts}, the same on every node and in replay
 * @param ruleId       the rule's id
 * @param ruleName     the rule's name
 * @param symbol       the symbol
 * @param ts           the scan time, epoch milliseconds
 * @param price        {@code last} at that scan
 * @param metricNames  canonical names of the metrics the rule's condition reads, in order of first appearance
 * @param metricValues their values at that scan, NaN for undefined; same order as {@code metricNames}
 */
public record Alert(String alertId, String ruleId, String ruleName, String symbol, long ts, double price,
                    List<String> metricNames, double[] metricValues) {

    /** The value of a metric by canonical name: NaN when undefined or not read by the rule. */
    public double metric(String name) {
        int at = metricNames.indexOf(name);
        return at < 0 ? Double.NaN : metricValues[at];
    }

    /** The deterministic id of a firing. */
    public static String idOf(String ruleId, String symbol, long ts) {
        return ruleId + ":" + symbol + ":" + ts;
    }
}
