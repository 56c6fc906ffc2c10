package io.tickscan.codec;

import java.util.List;

/**
 * An alert as it travels on the event bus, from the scanner that found it to every node's web side.
 *
 * @param alertId      {@code rule_id + ":" + symbol + ":" + ts}
 * @param ruleId       the rule's id
 * @param ruleName     the rule's name
 * @param symbol       the symbol
 * @param ts           scan time, epoch milliseconds
 * @param price        {@code last} at that scan
 * @param metricNames  canonical names of the metrics the rule reads
 * @param metricValues their values at that scan (NaN when undefined), same order; never written after creation
 * @param publishedAt  wall-clock epoch milliseconds at which the scanner published it
 */
public record AlertMessage(String alertId, String ruleId, String ruleName, String symbol, long ts, double price,
                           List<String> metricNames, double[] metricValues, long publishedAt) {
}
