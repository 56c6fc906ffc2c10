package io.tickscan.engine;

import io.tickscan.rules.MetricRef;
import io.tickscan.rules.RuleDefinition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

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
    private final boolean hasCross;
    private long[] truth = new long[0];
    private long[] unknown = new long[0];
    private long[] lastFired = new long[0];
    private long[] listed;
    /** The symbols in their cooldown (a bit each), so that a scan passes over them at once. */
    private long[] cooling = new long[0];
    /** The firings of {@link #cooling}'s symbols, oldest first: a ring of symbols and their firing times. */
    private int[] coolingSymbols = new int[16];
    private long[] coolingSince = new long[16];
    private int coolingHead;
    private int coolingSize;
    /** True when the firing times changed outside a scan: {@link #cooling} is made again at the next one. */
    private boolean coolingStale = true;

    CompiledRule(RuleDefinition definition, Node condition, int[] metricSlots, boolean hasCross) {
        this.definition = definition;
        this.hasCross = hasCross;
        this.condition = condition;
        this.metricSlots = metricSlots;
        this.metricNames = definition.metrics().stream().map(MetricRef::canonical).toList();
        this.cooldownMs = definition.cooldownSec() * 1000L;
        double min = definition.universe().minPrice();
        double max = definition.universe().maxPrice();
        this.minPrice = Double.isNaN(min) ? Double.NEGATIVE_INFINITY : min;
        this.maxPrice = Double.isNaN(max) ? Double.POSITIVE_INFINITY : max;
        this.listed = definition.universe().symbols() == null ? null : new long[0];
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

    /** The value of each metric the rule reads for {@code symbol}, in {@link #metricNames()} order. */
    double[] values(MetricColumns columns, int symbol) {
        double[] values = new double[metricSlots.length];
        for (int j = 0; j < metricSlots.length; j++) {
            values[j] = columns.column(metricSlots[j])[symbol];
        }
        return values;
    }

    void ensureCapacity(int capacity) {
        if (capacity > lastFired.length) {
            int old = lastFired.length;
            int words = Node.words(capacity);
            // kept: they are the rule's matches at the latest scan until the next one
            truth = Arrays.copyOf(truth, words);
            unknown = Arrays.copyOf(unknown, words);
            lastFired = Arrays.copyOf(lastFired, capacity);
            Arrays.fill(lastFired, old, capacity, Long.MIN_VALUE);
            cooling = Arrays.copyOf(cooling, words);
            if (listed != null) {
                listed = Arrays.copyOf(listed, words);
            }
            condition.ensureCapacity(capacity);
        }
    }

    /** Takes over the firing times of the rule this one replaces, so a swap does not restart cooldowns. */
    void inheritCooldowns(CompiledRule previous) {
        System.arraycopy(previous.lastFired, 0, lastFired, 0, Math.min(lastFired.length, previous.lastFired.length));
        coolingStale = true;
    }

    /** When the rule last fired for {@code symbol}, {@code Long.MIN_VALUE} if never: its cooldown. */
    long lastFired(int symbol) {
        return lastFired[symbol];
    }

    /** Sets when the rule last fired for {@code symbol}, as restored from a checkpoint. */
    void lastFired(int symbol, long t) {
        lastFired[symbol] = t;
        coolingStale = true;
    }

    /** Marks which known symbols the universe lists. */
    void symbolsKnown(SymbolStates states) {
        for (int i = 0; i < states.count(); i++) {
            symbolAdded(i, states.name(i));
        }
    }

    /** Forgets a symbol given up by the engine: out of the universe's bits, no cooldown. */
    void symbolReleased(int symbol) {
        if (listed != null) {
            listed[symbol >>> 6] &= ~(1L << symbol);
        }
        lastFired[symbol] = Long.MIN_VALUE;
        coolingStale = true;
    }

    void symbolAdded(int symbol, String name) {
        if (listed != null && definition.universe().symbols().contains(name)) {
            listed[symbol >>> 6] |= 1L << symbol;
        }
    }

    /** Evaluates the condition alone, with no cooldown and no firing: for a rule that is not scanned (a preview). */
    void evaluate(MetricColumns columns, long[] present, int n, long t) {
        condition.eval(columns, truth, unknown, listed != null ? listed : present, n, t);
    }

    /**
     * The symbols among {@code 0 .. n-1} for which the condition held at its latest evaluation and that pass the
     * universe, with the values of the rule's metrics in {@code columns}.
     */
    List<Screen.Match> matches(MetricColumns columns, long[] present, int n, SymbolStates states) {
        List<Screen.Match> matches = new ArrayList<>();
        double[] last = columns.last();
        forEachHolding(columns, present, n,
                i -> matches.add(new Screen.Match(states.name(i), last[i], values(columns, i))));
        return matches;
    }

    /**
     * Hands {@code action} each symbol among {@code 0 .. n-1} for which the condition held at its latest
     * evaluation and that passes the universe (its symbols and, with {@code last} in {@code columns}, its prices).
     */
    private void forEachHolding(MetricColumns columns, long[] present, int n, IntConsumer action) {
        long[] care = listed != null ? listed : present;
        double[] last = columns.last();
        for (int w = 0, words = Node.words(n); w < words; w++) {
            long hits = truth[w] & care[w];
            while (hits != 0) {
                int i = (w << 6) + Long.numberOfTrailingZeros(hits);
                hits &= hits - 1;
                double price = last[i];
                if (i < n && price >= minPrice && price <= maxPrice) {
                    action.accept(i);
                }
            }
        }
    }

    /**
     * Evaluates the rule for the symbols it looks at and reports each firing that passes the price bounds and
     * the cooldown.
     *
     * @param present   a bit for every symbol of the engine
     * @param unchanged true when every metric is as at the previous scan, one second earlier: a rule without a
     *                  cross then keeps its truth, and only the cooldown can change what fires
     */
    void scan(MetricColumns columns, long[] present, int n, long t, boolean unchanged, FiringListener listener) {
        long[] care = listed != null ? listed : present;
        if (!unchanged || hasCross) {
            condition.eval(columns, truth, unknown, care, n, t);
        }
        long quietSince = t - cooldownMs;
        endCooldowns(quietSince);
        double[] last = columns.last();
        long[] fired = lastFired;
        long[] resting = cooling;
        int words = Node.words(n);
        for (int w = 0; w < words; w++) {
            long hits = truth[w] & care[w] & ~resting[w];
            while (hits != 0) {
                int i = (w << 6) + Long.numberOfTrailingZeros(hits);
                hits &= hits - 1;
                double price = last[i];
                if (price >= minPrice && price <= maxPrice && fired[i] <= quietSince) {
                    fired[i] = t;
                    startCooldown(i, t);
                    listener.fired(this, i, t);
                }
            }
        }
    }

    /** Takes out of {@link #cooling} the symbols whose cooldown is over at the scan whose quiet span starts here. */
    private void endCooldowns(long quietSince) {
        if (coolingStale) {
            coolAgain(quietSince);
            return;
        }
        int mask = coolingSymbols.length - 1;
        while (coolingSize > 0 && coolingSince[coolingHead] <= quietSince) {
            int symbol = coolingSymbols[coolingHead];
            if (lastFired[symbol] == coolingSince[coolingHead]) {
                cooling[symbol >>> 6] &= ~(1L << symbol);
            }
            coolingHead = (coolingHead + 1) & mask;
            coolingSize--;
        }
    }

    /** Makes {@link #cooling} and its ring again from the firing times (after a swap, a restore or a release). */
    private void coolAgain(long quietSince) {
        Arrays.fill(cooling, 0);
        coolingHead = 0;
        coolingSize = 0;
        coolingStale = false;
        if (cooldownMs == 0) {
            return;
        }
        Integer[] resting = java.util.stream.IntStream.range(0, lastFired.length)
                .filter(i -> lastFired[i] > quietSince).boxed().toArray(Integer[]::new);
        Arrays.sort(resting, (a, b) -> Long.compare(lastFired[a], lastFired[b]));
        for (int symbol : resting) {
            startCooldown(symbol, lastFired[symbol]);
        }
    }

    /** Puts a symbol that fired at {@code t} in {@link #cooling}, at the end of the ring. */
    private void startCooldown(int symbol, long t) {
        if (cooldownMs == 0) {
            return;
        }
        if (coolingSize == coolingSymbols.length) {
            int[] symbols = new int[coolingSize * 2];
            long[] since = new long[coolingSize * 2];
            for (int k = 0; k < coolingSize; k++) {
                int from = (coolingHead + k) & (coolingSymbols.length - 1);
                symbols[k] = coolingSymbols[from];
                since[k] = coolingSince[from];
            }
            coolingSymbols = symbols;
            coolingSince = since;
            coolingHead = 0;
        }
        int tail = (coolingHead + coolingSize) & (coolingSymbols.length - 1);
        coolingSymbols[tail] = symbol;
        coolingSince[tail] = t;
        coolingSize++;
        cooling[symbol >>> 6] |= 1L << symbol;
    }

    /**
     * The earliest second after scan {@code t}, the latest, at which this rule can fire with every metric as that
     * scan saw it: the end of the first cooldown among the symbols it held for at {@code t} (read from what that
     * scan left), {@code Long.MAX_VALUE} when it held for none. Computed when asked, so that a scan pays nothing
     * for it.
     */
    long nextFiring(MetricColumns columns, long[] present, int n, long t) {
        long[] first = {Long.MAX_VALUE};
        forEachHolding(columns, present, n, i -> first[0] = Math.min(first[0], lastFired[i] + cooldownMs));
        return first[0] == Long.MAX_VALUE ? first[0] : Math.max(first[0], t + 1000);
    }
}
