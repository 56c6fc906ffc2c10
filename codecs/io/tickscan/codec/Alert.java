package io.tickscan.codec;

import java.util.List;
import java.util.Objects;

/**
 * One firing of a rule for a symbol at a scan: made once by the engine (through its {@code AlertFactory}) and
 * published as is on {@link Addresses#ALERTS}, written by replay, and sent to browsers. Immutable; equal to another
 * alert with the same components (the metric values compared as the same array, as a record compares them).
 *
 * <p>Its id, {@code rule_id + ":" + symbol + ":" + ts}, is made when first asked for, not with the alert: a scan
 * whose cooldowns end together finds tens of thousands of alerts at once, and their ids are wanted only later, by
 * the alert pipeline and the web instances on their own threads. Made twice at worst by two threads at once, equal.
 */
public final class Alert {
    private final String ruleId;
    private final String ruleName;
    private final String symbol;
    private final long ts;
    private final double price;
    private final List<String> metricNames;
    private final double[] metricValues;
    private String alertId;

    /**
     * A firing, its id made when first asked for.
     *
     * @param ruleId       the rule's id
     * @param ruleName     the rule's name
     * @param symbol       the symbol
     * @param ts           the scan time, epoch milliseconds
     * @param price        {@code last} at that scan
     * @param metricNames  canonical names of the metrics the rule's condition reads, in order of first appearance
     * @param metricValues their values at that scan, NaN for undefined; same order as {@code metricNames}; never
     *                     written after creation
     */
    public Alert(String ruleId, String ruleName, String symbol, long ts, double price, List<String> metricNames,
                 double[] metricValues) {
        this.ruleId = ruleId;
        this.ruleName = ruleName;
        this.symbol = symbol;
        this.ts = ts;
        this.price = price;
        this.metricNames = metricNames;
        this.metricValues = metricValues;
    }

    /**
     * A firing whose id is known already (read from the wire).
     *
     * @param alertId {@code rule_id + ":" + symbol + ":" + ts}
     */
    public Alert(String alertId, String ruleId, String ruleName, String symbol, long ts, double price,
                 List<String> metricNames, double[] metricValues) {
        this(ruleId, ruleName, symbol, ts, price, metricNames, metricValues);
        this.alertId = Objects.requireNonNull(alertId, "alertId");
    }

    /** {@code rule_id + ":" + symbol + ":" + ts}, the same on every node and in replay. */
    public String alertId() {
        String id = alertId;
        if (id == null) {
            id = ruleId + ":" + symbol + ":" + ts;
            alertId = id;
        }
        return id;
    }

    /** The rule's id. */
    public String ruleId() {
        return ruleId;
    }

    /** The rule's name. */
    public String ruleName() {
        return ruleName;
    }

    /** The symbol. */
    public String symbol() {
        return symbol;
    }

    /** The scan time, epoch milliseconds. */
    public long ts() {
        return ts;
    }

    /** {@code last} at that scan. */
    public double price() {
        return price;
    }

    /** Canonical names of the metrics the rule's condition reads, in order of first appearance. */
    public List<String> metricNames() {
        return metricNames;
    }

    /** Their values at that scan, NaN for undefined; never to be written. */
    public double[] metricValues() {
        return metricValues;
    }

    /** The value of a metric by canonical name: NaN when undefined or not read by the rule. */
    public double metric(String name) {
        int at = metricNames.indexOf(name);
        return at < 0 ? Double.NaN : metricValues[at];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Alert a && ts == a.ts && Double.compare(price, a.price) == 0
                && alertId().equals(a.alertId()) && ruleId.equals(a.ruleId) && Objects.equals(ruleName, a.ruleName)
                && symbol.equals(a.symbol) && Objects.equals(metricNames, a.metricNames)
                && metricValues == a.metricValues;
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertId(), ruleId, ruleName, symbol, ts, price, metricNames,
                System.identityHashCode(metricValues));
    }

    @Override
    public String toString() {
        return "Alert[alertId=" + alertId() + ", ruleId=" + ruleId + ", ruleName=" + ruleName + ", symbol=" + symbol
                + ", ts=" + ts + ", price=" + price + ", metricNames=" + metricNames + ", metricValues="
                + metricValues + "]";
    }
}
