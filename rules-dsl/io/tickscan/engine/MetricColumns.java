package io.tickscan.engine;

import io.tickscan.rules.MetricKind;
import io.tickscan.rules.MetricRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The value of every metric the rules read, for every symbol, as of the latest scan: one column of doubles
 * per distinct metric (NaN for undefined), plus one constant column per distinct number the rules compare
 * with. Each metric is computed once per symbol per scan, however many rules read it; metrics that read only
 * complete bars are recomputed only when the minute changes.
 *
 * <p>The windows of complete bars ({@code volume}, {@code sma}, {@code high}, {@code low}, {@code rel_volume}) are
 * prepared for the next minute in the scans before it, one metric a scan: every bar of the window but the newest,
 * combined oldest first (a {@code rel_volume}'s baseline whole). The minute's first scan then combines only the
 * newest bar with them, the very operations in the very order of a window combined from scratch, so the values are
 * the same bits (sums are added left to right, spec "Arithmetic"), and the cost of recomputing every window no
 * longer falls on that one scan. A prepared window holds for its minute and the symbols there were when it was
 * prepared: bars complete before the current minute never change (late ticks are dropped), and whatever else
 * changes the state ({@link #forgetPrepared}) drops it.
 */
final class MetricColumns {
    private final SymbolStates states;
    private final Indicators indicators;
    private final SessionCalendar sessions;
    private final MetricRef[] metrics;
    private final double[] constants;
    private double[][] values;
    private double[] last = new double[0];
    private double[] scratch = new double[0];
    /** Per metric slot: its window but the newest bar, prepared for {@link #preparedMinute}; null when not. */
    private final double[][] prepared;
    /** Per metric slot: a {@code rel_volume}'s baseline sum, prepared with {@link #prepared}. */
    private final double[][] preparedBaseline;
    /** Per metric slot: the minute whose first scan may use {@link #prepared}, or {@link Long#MIN_VALUE}. */
    private final long[] preparedMinute;
    /** Per metric slot: how many symbols {@link #prepared} covers. */
    private final int[] preparedCount;
    /** The slot the next scan looks at first for a window to prepare. */
    private int nextToPrepare;
    /** Counts the scans whose rules read these columns: see {@link #evaluation()}. */
    private long evaluations;

    private MetricColumns(SymbolStates states, Indicators indicators, SessionCalendar sessions,
                          List<MetricRef> metrics, List<Double> constants) {
        this.states = states;
        this.indicators = indicators;
        this.sessions = sessions;
        this.metrics = metrics.toArray(new MetricRef[0]);
        this.constants = constants.stream().mapToDouble(Double::doubleValue).toArray();
        this.values = new double[this.metrics.length + this.constants.length][];
        this.prepared = new double[this.metrics.length][];
        this.preparedBaseline = new double[this.metrics.length][];
        this.preparedMinute = new long[this.metrics.length];
        Arrays.fill(preparedMinute, Long.MIN_VALUE);
        this.preparedCount = new int[this.metrics.length];
        ensureCapacity(states.capacity());
    }

    /** Marks the start of a scan's evaluation of the rules: {@link #evaluation()} changes. */
    void newEvaluation() {
        evaluations++;
    }

    /**
     * The number of the scan whose rules are being evaluated, which only grows: what a node keeps a result of one
     * scan under. Not the scan's time, which can go back when an engine that holds nothing takes a handed-over
     * state's clock.
     */
    long evaluation() {
        return evaluations;
    }

    /** The column of a slot; re-read it after the engine grows. */
    double[] column(int slot) {
        return values[slot];
    }

    void ensureCapacity(int capacity) {
        if (last.length < capacity) {
            last = Arrays.copyOf(last, capacity);
            scratch = new double[capacity];
        }
        for (int slot = 0; slot < values.length; slot++) {
            double[] old = values[slot];
            if (old != null && old.length >= capacity) {
                continue;
            }
            int from = old == null ? 0 : old.length;
            double[] grown = old == null ? new double[capacity] : Arrays.copyOf(old, capacity);
            boolean constant = slot >= metrics.length;
            Arrays.fill(grown, from, capacity, constant ? constants[slot - metrics.length] : Double.NaN);
            values[slot] = grown;
        }
    }

    /** {@code last} of every symbol as of the latest update, contiguous. */
    double[] last() {
        return last;
    }

    /**
     * Computes every metric column for a scan at {@code t}, after every symbol has been rolled to its minute.
     *
     * @param barsChanged true when the minute changed since the last update, so the metrics of complete bars
     *                    must be recomputed
     */
    void update(long t, boolean barsChanged) {
        long minute = Math.floorDiv(t, SymbolStates.MINUTE_MS);
        long session = sessions.sessionStart(t - 1);
        int n = states.count();
        double[] live = states.live;
        for (int i = 0, b = SymbolStates.LAST; i < n; i++, b += SymbolStates.LIVE_FIELDS) {
            last[i] = live[b];
        }
        for (int slot = 0; slot < metrics.length; slot++) {
            MetricRef metric = metrics[slot];
            if (barsChanged || !metric.kind().readsCompleteBarsOnly()) {
                compute(metric, slot, values[slot], n, minute, session);
            }
        }
        if (!barsChanged) {
            prepareNext(minute + 1, n);
        }
    }

    /** Drops every prepared window: the state changed other than by ticks and scans (imported, released). */
    void forgetPrepared() {
        Arrays.fill(preparedMinute, Long.MIN_VALUE);
    }

    /** Prepares, for {@code minute}, the first window from {@link #nextToPrepare} on that is not yet. */
    private void prepareNext(long minute, int n) {
        for (int tried = 0; tried < metrics.length; tried++) {
            int slot = nextToPrepare;
            nextToPrepare = slot + 1 == metrics.length ? 0 : slot + 1;
            if (preparable(metrics[slot]) && !isPrepared(slot, minute, n)) {
                prepare(slot, minute, n);
                return;
            }
        }
    }

    private static boolean preparable(MetricRef metric) {
        return metric.window() >= 2 && switch (metric.kind()) {
            case VOLUME, SMA, HIGH, LOW, REL_VOLUME -> true;
            default -> false;
        };
    }

    private boolean isPrepared(int slot, long minute, int n) {
        return slot >= 0 && preparedMinute[slot] == minute && preparedCount[slot] == n;
    }

    /** The window of {@code slot} for {@code minute} but its newest bar, {@code minute - 1}. */
    private void prepare(int slot, long minute, int n) {
        MetricRef metric = metrics[slot];
        int w = metric.window();
        double[] out = prepared[slot] = room(prepared[slot]);
        SymbolStates s = states;
        switch (metric.kind()) {
            case VOLUME -> sumBars(s.ringVolume, out, n, minute - w, w - 1);
            case SMA -> sumBars(s.ringClose, out, n, minute - w, w - 1);
            case HIGH -> extremeBars(s.ringHigh, out, n, minute - w, w - 1, true);
            case LOW -> extremeBars(s.ringLow, out, n, minute - w, w - 1, false);
            case REL_VOLUME -> {
                sumBars(s.ringVolume, out, n, minute - w, w - 1);
                double[] baseline = preparedBaseline[slot] = room(preparedBaseline[slot]);
                int b = MetricKind.REL_VOLUME_BASELINE_MINUTES;
                sumBars(s.ringVolume, baseline, n, minute - w - b, b);
            }
            default -> throw new IllegalStateException("not a window of complete bars: " + metric);
        }
        preparedMinute[slot] = minute;
        preparedCount[slot] = n;
    }

    /** {@code column}, or a new one when it is missing or shorter than the symbols' capacity. */
    private double[] room(double[] column) {
        int capacity = states.capacity();
        return column != null && column.length >= capacity ? column : new double[capacity];
    }

    /**
     * Computes every metric column as of the scan at {@code t} that {@code scanned} holds, for the symbols
     * {@code 0 .. n-1} that scan saw, without changing any state: a metric {@code scanned} has is copied from it;
     * the others are computed with {@code last} as of that scan and the complete bars before its minute. The
     * session stats ({@code vwap}, {@code day_*}) are read as they are now, so a tick applied since that scan shows
     * in the metrics computed here.
     */
    void updateAsOf(long t, int n, MetricColumns scanned) {
        long minute = Math.floorDiv(t, SymbolStates.MINUTE_MS);
        long session = sessions.sessionStart(t - 1);
        System.arraycopy(scanned.last, 0, last, 0, n);
        for (int slot = 0; slot < metrics.length; slot++) {
            int from = scanned.slotOf(metrics[slot]);
            if (from >= 0) {
                System.arraycopy(scanned.values[from], 0, values[slot], 0, n);
            } else {
                compute(metrics[slot], -1, values[slot], n, minute, session);
            }
        }
    }

    /** The slot of {@code metric}, or -1 when these columns do not compute it. */
    int slotOf(MetricRef metric) {
        for (int slot = 0; slot < metrics.length; slot++) {
            if (metrics[slot].equals(metric)) {
                return slot;
            }
        }
        return -1;
    }

    /**
     * Computes one metric column.
     *
     * @param slot the metric's slot, whose prepared window it may use, or -1 to compute from scratch
     */
    private void compute(MetricRef metric, int slot, double[] out, int n, long minute, long session) {
        SymbolStates s = states;
        int w = metric.window();
        boolean fromPrepared = isPrepared(slot, minute, n);
        switch (metric.kind()) {
            case LAST -> System.arraycopy(last, 0, out, 0, n);
            case CHANGE_PCT -> changePct(out, n, minute, w);
            case VOLUME -> windowSum(s.ringVolume, out, n, minute, w, 1, fromPrepared ? prepared[slot] : null);
            case SMA -> windowSum(s.ringClose, out, n, minute, w, w, fromPrepared ? prepared[slot] : null);
            case HIGH -> windowExtreme(s.ringHigh, out, n, minute, w, true, fromPrepared ? prepared[slot] : null);
            case LOW -> windowExtreme(s.ringLow, out, n, minute, w, false, fromPrepared ? prepared[slot] : null);
            case REL_VOLUME -> relVolume(out, n, minute, w, fromPrepared ? slot : -1);
            case EMA -> System.arraycopy(indicators.ema(w).value, 0, out, 0, n);
            case RSI -> System.arraycopy(indicators.rsi(w).value, 0, out, 0, n);
            case VWAP -> {
                double[] live = s.live;
                for (int i = 0; i < n; i++) {
                    int b = i * SymbolStates.LIVE_FIELDS;
                    double volume = live[b + SymbolStates.DAY_VOLUME];
                    out[i] = s.session(i) == session && volume > 0 ? live[b + SymbolStates.DAY_NOTIONAL] / volume
                            : Double.NaN;
                }
            }
            case DAY_OPEN -> sessionField(SymbolStates.DAY_OPEN, out, n, session);
            case DAY_HIGH -> sessionField(SymbolStates.DAY_HIGH, out, n, session);
            case DAY_LOW -> sessionField(SymbolStates.DAY_LOW, out, n, session);
            case DAY_VOLUME -> sessionField(SymbolStates.DAY_VOLUME, out, n, session);
            case CHANGE_PCT_DAY -> {
                for (int i = 0; i < n; i++) {
                    double open = s.field(i, SymbolStates.DAY_OPEN);
                    out[i] = s.session(i) == session ? (last[i] - open) / open * 100 : Double.NaN;
                }
            }
        }
    }

    private void sessionField(int field, double[] out, int n, long session) {
        for (int i = 0; i < n; i++) {
            out[i] = states.session(i) == session ? states.field(i, field) : Double.NaN;
        }
    }

    private void changePct(double[] out, int n, long minute, int window) {
        long k = minute - window;
        double[] ref = states.ringClose[states.slot(k)];
        for (int i = 0; i < n; i++) {
            double r = ref[i];
            out[i] = (last[i] - r) / r * 100;
        }
        undefinedBefore(out, n, k);
    }

    /**
     * Sum of the {@code window} bars before {@code minute}, left to right, divided by {@code divisor}: from scratch,
     * or the newest bar added to {@code prepared}, the others' sum.
     */
    private void windowSum(double[][] ring, double[] out, int n, long minute, int window, int divisor,
                           double[] prepared) {
        long from = minute - window;
        if (prepared == null) {
            sumBars(ring, out, n, from, window);
        } else {
            double[] newest = ring[states.slot(minute - 1)];
            for (int i = 0; i < n; i++) {
                out[i] = prepared[i] + newest[i];
            }
        }
        if (divisor != 1) {
            for (int i = 0; i < n; i++) {
                out[i] /= divisor;
            }
        }
        undefinedBefore(out, n, from);
    }

    /**
     * Highest (or lowest) of the {@code window} bars before {@code minute}: from scratch, or of {@code prepared}, the
     * others' extreme, and the newest bar.
     */
    private void windowExtreme(double[][] ring, double[] out, int n, long minute, int window, boolean max,
                               double[] prepared) {
        long from = minute - window;
        if (prepared == null) {
            extremeBars(ring, out, n, from, window, max);
        } else {
            System.arraycopy(prepared, 0, out, 0, n);
            combineExtreme(out, ring[states.slot(minute - 1)], n, max);
        }
        undefinedBefore(out, n, from);
    }

    /** {@code out[i]} = the highest (or lowest) of bars {@code from .. from+count-1}, oldest first. */
    private void extremeBars(double[][] ring, double[] out, int n, long from, int count, boolean max) {
        System.arraycopy(ring[states.slot(from)], 0, out, 0, n);
        for (long k = from + 1; k < from + count; k++) {
            combineExtreme(out, ring[states.slot(k)], n, max);
        }
    }

    private static void combineExtreme(double[] out, double[] bar, int n, boolean max) {
        if (max) {
            for (int i = 0; i < n; i++) {
                out[i] = Math.max(out[i], bar[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = Math.min(out[i], bar[i]);
            }
        }
    }

    /** {@code rel_volume}: from scratch, or from the window and baseline prepared in {@code slot} (-1: none). */
    private void relVolume(double[] out, int n, long minute, int window, int slot) {
        int baseline = MetricKind.REL_VOLUME_BASELINE_MINUTES;
        long from = minute - window - baseline;
        double[] before;
        if (slot < 0) {
            before = scratch;
            sumBars(states.ringVolume, before, n, from, baseline);
            sumBars(states.ringVolume, out, n, minute - window, window);
        } else {
            before = preparedBaseline[slot];
            double[] start = prepared[slot];
            double[] newest = states.ringVolume[states.slot(minute - 1)];
            for (int i = 0; i < n; i++) {
                out[i] = start[i] + newest[i];
            }
        }
        for (int i = 0; i < n; i++) {
            double b = before[i];
            out[i] = b == 0 ? Double.NaN : (out[i] / window) / (b / baseline);
        }
        undefinedBefore(out, n, from);
    }

    /** {@code out[i] = bar[from][i] + ... + bar[from+count-1][i]}, added left to right for every symbol. */
    private void sumBars(double[][] ring, double[] out, int n, long from, int count) {
        System.arraycopy(ring[states.slot(from)], 0, out, 0, n);
        for (long k = from + 1; k < from + count; k++) {
            double[] bar = ring[states.slot(k)];
            for (int i = 0; i < n; i++) {
                out[i] += bar[i];
            }
        }
    }

    /** Marks undefined the symbols for which bar {@code k} does not exist (before their first minute). */
    private void undefinedBefore(double[] out, int n, long k) {
        long[] clock = states.clock;
        for (int i = 0, c = SymbolStates.FIRST_MINUTE; i < n; i++, c += SymbolStates.CLOCK_FIELDS) {
            if (k < clock[c]) {
                out[i] = Double.NaN;
            }
        }
    }

    /** Collects the metrics and constants of a rule set, assigning each a slot. */
    static final class Layout {
        private final List<MetricRef> metrics = new ArrayList<>();
        private final List<Double> constants = new ArrayList<>();

        /** The slot of a metric; constants get slots after every metric, so collect metrics first. */
        int metric(MetricRef metric) {
            int at = metrics.indexOf(metric);
            if (at < 0) {
                if (!constants.isEmpty()) {
                    throw new IllegalStateException("metrics must be laid out before constants");
                }
                metrics.add(metric);
                at = metrics.size() - 1;
            }
            return at;
        }

        /** The slot of a constant column holding {@code value}. */
        int constant(double value) {
            int at = constants.indexOf(value);
            if (at < 0) {
                constants.add(value);
                at = constants.size() - 1;
            }
            return metrics.size() + at;
        }

        List<MetricRef> metrics() {
            return metrics;
        }

        MetricColumns build(SymbolStates states, Indicators indicators, SessionCalendar sessions) {
            return new MetricColumns(states, indicators, sessions, metrics, constants);
        }
    }
}
