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
 */
final class MetricColumns {
    private final SymbolStates states;
    private final Indicators indicators;
    private final SessionCalendar sessions;
    private final MetricRef[] metrics;
    private final double[] constants;
    private double[][] values;

    private MetricColumns(SymbolStates states, Indicators indicators, SessionCalendar sessions,
                          List<MetricRef> metrics, List<Double> constants) {
        this.states = states;
        this.indicators = indicators;
        this.sessions = sessions;
        this.metrics = metrics.toArray(new MetricRef[0]);
        this.constants = constants.stream().mapToDouble(Double::doubleValue).toArray();
        this.values = new double[this.metrics.length + this.constants.length][];
        ensureCapacity(states.capacity());
    }

    /** The column of a slot; re-read it after the engine grows. */
    double[] column(int slot) {
        return values[slot];
    }

    void ensureCapacity(int capacity) {
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
        for (int slot = 0; slot < metrics.length; slot++) {
            MetricRef metric = metrics[slot];
            if (barsChanged || !metric.kind().readsCompleteBarsOnly()) {
                compute(metric, values[slot], n, minute, session);
            }
        }
    }

    private void compute(MetricRef metric, double[] out, int n, long minute, long session) {
        SymbolStates s = states;
        int w = metric.window();
        switch (metric.kind()) {
            case LAST -> System.arraycopy(s.last, 0, out, 0, n);
            case CHANGE_PCT -> changePct(out, n, minute, w);
            case VOLUME -> windowSum(s.ringVolume, out, n, minute, w, false);
            case SMA -> windowSum(s.ringClose, out, n, minute, w, true);
            case HIGH -> windowExtreme(s.ringHigh, out, n, minute, w, true);
            case LOW -> windowExtreme(s.ringLow, out, n, minute, w, false);
            case REL_VOLUME -> relVolume(out, n, minute, w);
            case EMA -> System.arraycopy(indicators.ema(w).value, 0, out, 0, n);
            case RSI -> System.arraycopy(indicators.rsi(w).value, 0, out, 0, n);
            case VWAP -> {
                for (int i = 0; i < n; i++) {
                    out[i] = s.session[i] == session && s.dayVolume[i] > 0 ? s.dayNotional[i] / s.dayVolume[i]
                            : Double.NaN;
                }
            }
            case DAY_OPEN -> sessionField(s.dayOpen, out, n, session);
            case DAY_HIGH -> sessionField(s.dayHigh, out, n, session);
            case DAY_LOW -> sessionField(s.dayLow, out, n, session);
            case DAY_VOLUME -> sessionField(s.dayVolume, out, n, session);
            case CHANGE_PCT_DAY -> {
                for (int i = 0; i < n; i++) {
                    out[i] = s.session[i] == session ? (s.last[i] - s.dayOpen[i]) / s.dayOpen[i] * 100 : Double.NaN;
                }
            }
        }
    }

    private void sessionField(double[] field, double[] out, int n, long session) {
        long[] sessionOf = states.session;
        for (int i = 0; i < n; i++) {
            out[i] = sessionOf[i] == session ? field[i] : Double.NaN;
        }
    }

    private void changePct(double[] out, int n, long minute, int window) {
        SymbolStates s = states;
        long k = minute - window;
        int ring = s.ring();
        int pos = (int) Math.floorMod(k, (long) ring);
        for (int i = 0, base = 0; i < n; i++, base += ring) {
            if (k >= s.firstMinute[i]) {
                double ref = s.ringClose[base + pos];
                out[i] = (s.last[i] - ref) / ref * 100;
            } else {
                out[i] = Double.NaN;
            }
        }
    }

    /** Sum (or mean) of bars {@code minute-window .. minute-1}, left to right. */
    private void windowSum(double[] field, double[] out, int n, long minute, int window, boolean mean) {
        SymbolStates s = states;
        long k = minute - window;
        int ring = s.ring();
        int start = (int) Math.floorMod(k, (long) ring);
        for (int i = 0, base = 0; i < n; i++, base += ring) {
            if (k < s.firstMinute[i]) {
                out[i] = Double.NaN;
                continue;
            }
            double sum = sumBars(field, base, start, window, ring);
            out[i] = mean ? sum / window : sum;
        }
    }

    private void windowExtreme(double[] field, double[] out, int n, long minute, int window, boolean max) {
        SymbolStates s = states;
        long k = minute - window;
        int ring = s.ring();
        int start = (int) Math.floorMod(k, (long) ring);
        for (int i = 0, base = 0; i < n; i++, base += ring) {
            if (k < s.firstMinute[i]) {
                out[i] = Double.NaN;
                continue;
            }
            int pos = start;
            double best = field[base + pos];
            for (int j = 1; j < window; j++) {
                if (++pos == ring) {
                    pos = 0;
                }
                double v = field[base + pos];
                best = max ? Math.max(best, v) : Math.min(best, v);
            }
            out[i] = best;
        }
    }

    private void relVolume(double[] out, int n, long minute, int window) {
        SymbolStates s = states;
        int baseline = MetricKind.REL_VOLUME_BASELINE_MINUTES;
        long k = minute - window - baseline;
        int ring = s.ring();
        int start = (int) Math.floorMod(k, (long) ring);
        int recent = (int) Math.floorMod(minute - window, (long) ring);
        for (int i = 0, base = 0; i < n; i++, base += ring) {
            if (k < s.firstMinute[i]) {
                out[i] = Double.NaN;
                continue;
            }
            double before = sumBars(s.ringVolume, base, start, baseline, ring);
            double now = sumBars(s.ringVolume, base, recent, window, ring);
            out[i] = before == 0 ? Double.NaN : (now / window) / (before / baseline);
        }
    }

    private static double sumBars(double[] field, int base, int start, int count, int ring) {
        double sum = 0;
        int pos = start;
        for (int j = 0; j < count; j++) {
            sum += field[base + pos];
            if (++pos == ring) {
                pos = 0;
            }
        }
        return sum;
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
