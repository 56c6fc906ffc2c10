package io.tickscan.engine;

import io.tickscan.rules.MetricRef;
import io.tickscan.rules.RuleDefinition;
import java.util.Arrays;
import java.util.List;

/**
 * A rule compiled against one engine's metric columns: its condition as a {@link Node} tree, its cooldown,
 * universe and per-symbol firing state.
 */
public final class CompiledRule {
    private final RuleDefinition definition;
    private final Node condition;
    private final int[] metricSlots;
    private final List<String> metricNames;
    private final long cooldownMs;
    private final double minPrice;
    private final double maxPrice;
    private byte[] truth = new byte[0];
    private long[] lastFired = new long[0];
    private boolean[] listed;

    CompiledRule(RuleDefinition definition, Node condition, int[] metricSlots) {
        this.definition = definition;
        this.condition = condition;
        this.metricSlots = metricSlots;
        this.metricNames = definition.metrics().stream().map(MetricRef::canonical).toList();
        this.cooldownMs = definition.cooldownSec() * 1000L;
        double min = definition.universe().minPrice();
        double max = definition.universe().maxPrice();
        this.minPrice = Double.isNaN(min) ? Double.NEGATIVE_INFINITY : min;
        this.maxPrice = Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
        this.listed = definition.universe().symbols() == null ? null : new boolean[0];
    }

    /** The rule's id. */
    public String id() {
        return definition.id();
    }

    /** The rule's name. */
    public String name() {
        return definition.name();
    }

    /** The rule as validated. */
    public RuleDefinition definition() {
        return definition;
    }

    /** Canonical names of the metrics the condition reads. */
    public List<String> metricNames() {
        return metricNames;
    }

    int[] metricSlots() {
        return metricSlots;
    }

    void ensureCapacity(int capacity) {
        if (capacity > truth.length) {
            int old = lastFired.length;
            truth = new byte[capacity];
            lastFired = Arrays.copyOf(lastFired, capacity);
            Arrays.fill(lastFired, old, capacity, Long.MIN_VALUE);
            if (listed != null) {
                listed = Arrays.copyOf(listed, capacity);
            }
            condition.ensureCapacity(capacity);
        }
    }

    void symbolAdded(int symbol, String name) {
        if (listed != null) {
            listed[symbol] = definition.universe().symbols().contains(name);
        }
    }

    /** Evaluates the rule for every symbol and reports each firing that passes universe and cooldown. */
    void scan(MetricColumns columns, double[] last, int n, long t, FiringListener listener) {
        byte[] out = truth;
        condition.eval(columns, out, n, t);
        long quietSince = t - cooldownMs;
        boolean[] in = listed;
        long[] fired = lastFired;
        for (int i = 0; i < n; i++) {
            if (out[i] == Node.TRUE && (in == null || in[i]) && last[i] >= minPrice && last[i] <= maxPrice
                    && fired[i] <= quietSince) {
                fired[i] = t;
                listener.fired(this, i, t);
            }
        }
    }
}
