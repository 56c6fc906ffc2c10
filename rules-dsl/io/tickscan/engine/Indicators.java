package io.tickscan.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The incremental indicators of one engine, one bank per distinct window the rules use, updated once per
 * complete bar of every symbol.
 */
final class Indicators implements SymbolStates.BarListener {
    private final Ema[] emas;
    private final Rsi[] rsis;

    Indicators(int[] emaWindows, int[] rsiWindows, int capacity) {
        emas = new Ema[emaWindows.length];
        for (int j = 0; j < emas.length; j++) {
            emas[j] = new Ema(emaWindows[j], capacity);
        }
        rsis = new Rsi[rsiWindows.length];
        for (int j = 0; j < rsis.length; j++) {
            rsis[j] = new Rsi(rsiWindows[j], capacity);
        }
    }

    private Indicators(Ema[] emas, Rsi[] rsis) {
        this.emas = emas;
        this.rsis = rsis;
    }

    /**
     * The indicators a new rule set needs: a window this engine already computes keeps its state; a new one is
     * warmed up from the complete bars still in the ring (all of a symbol's bars when its history fits the ring,
     * so the value is then exactly as if the indicator had run from the start). Nothing of this bank changes.
     *
     * @param untilMinute the new windows take the complete bars before this minute (and before each symbol's live
     *                    minute): {@code Long.MAX_VALUE} for all of them
     */
    Indicators replacing(int[] emaWindows, int[] rsiWindows, SymbolStates states, long untilMinute) {
        int capacity = states.capacity();
        List<Ema> newEmas = new ArrayList<>();
        Ema[] nextEmas = new Ema[emaWindows.length];
        for (int j = 0; j < emaWindows.length; j++) {
            int window = emaWindows[j];
            nextEmas[j] = Arrays.stream(emas).filter(e -> e.window == window).findFirst().orElse(null);
            if (nextEmas[j] == null) {
                nextEmas[j] = new Ema(window, capacity);
                newEmas.add(nextEmas[j]);
            }
        }
        List<Rsi> newRsis = new ArrayList<>();
        Rsi[] nextRsis = new Rsi[rsiWindows.length];
        for (int j = 0; j < rsiWindows.length; j++) {
            int window = rsiWindows[j];
            nextRsis[j] = Arrays.stream(rsis).filter(r -> r.window == window).findFirst().orElse(null);
            if (nextRsis[j] == null) {
                nextRsis[j] = new Rsi(window, capacity);
                newRsis.add(nextRsis[j]);
            }
        }
        Indicators warming = new Indicators(newEmas.toArray(new Ema[0]), newRsis.toArray(new Rsi[0]));
        for (int i = 0; i < states.count(); i++) {
            warming.warm(states, i, untilMinute);
        }
        return new Indicators(nextEmas, nextRsis);
    }

    /**
     * A bank of some of these indicators (the same instances), such as those a checkpoint lacks, so that they can
     * be warmed up: the EMAs and RSIs whose windows {@code emaWanted} and {@code rsiWanted} accept.
     */
    Indicators only(IntPredicate emaWanted, IntPredicate rsiWanted) {
        return new Indicators(Arrays.stream(emas).filter(e -> emaWanted.test(e.window)).toArray(Ema[]::new),
                Arrays.stream(rsis).filter(r -> rsiWanted.test(r.window)).toArray(Rsi[]::new));
    }

    /** Forgets symbol {@code i} in every indicator of this bank, as if it had no bar yet. */
    void reset(int i) {
        for (Ema ema : emas) {
            ema.reset(i);
        }
        for (Rsi rsi : rsis) {
            rsi.reset(i);
        }
    }

    /**
     * Feeds this bank symbol {@code i}'s complete bars still in the ring, oldest first, up to its live minute and
     * {@code untilMinute}.
     */
    void warm(SymbolStates states, int i, long untilMinute) {
        long first = Math.max(states.firstMinute(i), states.liveMinute(i) - states.ring());
        long until = Math.min(states.liveMinute(i), untilMinute);
        for (long k = first; k < until; k++) {
            barCompleted(i, states.ringClose[states.slot(k)][i]);
        }
    }

    /** The EMA banks, one per window. */
    Ema[] emas() {
        return emas;
    }

    /** The RSI banks, one per window. */
    Rsi[] rsis() {
        return rsis;
    }

    @Override
    public void barCompleted(int symbol, double close) {
        for (Ema ema : emas) {
            ema.add(symbol, close);
        }
        for (Rsi rsi : rsis) {
            rsi.add(symbol, close);
        }
    }

    void ensureCapacity(int capacity) {
        for (Ema ema : emas) {
            ema.ensureCapacity(capacity);
        }
        for (Rsi rsi : rsis) {
            rsi.ensureCapacity(capacity);
        }
    }

    Ema ema(int window) {
        for (Ema ema : emas) {
            if (ema.window == window) {
                return ema;
            }
        }
        throw new IllegalArgumentException("no ema(" + window + ")");
    }

    Rsi rsi(int window) {
        for (Rsi rsi : rsis) {
            if (rsi.window == window) {
                return rsi;
            }
        }
        throw new IllegalArgumentException("no rsi(" + window + ")");
    }

    /** Heap bytes of indicator state per symbol. */
    long bytesPerSymbol() {
        return emas.length * (8L * 2 + 4) + rsis.length * (8L * 6 + 4);
    }

    /**
     * EMA of complete closes: {@code alpha = 2/(N+1)}, seeded with the mean of the first N closes, then
     * {@code ema += (close - ema) * alpha}; NaN before N closes.
     */
    static final class Ema {
        final int window;
        private final double alpha;
        int[] seen;
        double[] sum;
        double[] value;

        Ema(int window, int capacity) {
            this.window = window;
            this.alpha = 2.0 / (window + 1);
            seen = new int[capacity];
            sum = new double[capacity];
            value = new double[capacity];
            Arrays.fill(value, Double.NaN);
        }

        void reset(int i) {
            seen[i] = 0;
            sum[i] = 0;
            value[i] = Double.NaN;
        }

        void add(int i, double close) {
            int n = seen[i];
            if (n >= window) {
                value[i] += (close - value[i]) * alpha;
                return;
            }
            seen[i] = n + 1;
            sum[i] += close;
            if (n + 1 == window) {
                value[i] = sum[i] / window;
            }
        }

        void ensureCapacity(int capacity) {
            if (capacity > value.length) {
                int old = value.length;
                seen = Arrays.copyOf(seen, capacity);
                sum = Arrays.copyOf(sum, capacity);
                value = Arrays.copyOf(value, capacity);
                Arrays.fill(value, old, capacity, Double.NaN);
            }
        }
    }

    /**
     * Wilder's RSI of complete closes: the first averages are the means of the first N gains and losses, then
     * {@code avg = (avg*(N-1) + x) / N}; NaN before N changes.
     */
    static final class Rsi {
        final int window;
        int[] changes;
        double[] previous;
        double[] gain;
        double[] loss;
        double[] value;

        Rsi(int window, int capacity) {
            this.window = window;
            changes = new int[capacity];
            previous = new double[capacity];
            gain = new double[capacity];
            loss = new double[capacity];
            value = new double[capacity];
            Arrays.fill(previous, Double.NaN);
            Arrays.fill(value, Double.NaN);
        }

        void reset(int i) {
            changes[i] = 0;
            previous[i] = Double.NaN;
            gain[i] = 0;
            loss[i] = 0;
            value[i] = Double.NaN;
        }

        void add(int i, double close) {
            double prev = previous[i];
            previous[i] = close;
            if (prev != prev) {
                return;
            }
            double d = close - prev;
            double up = d > 0 ? d : 0;
            double down = d < 0 ? -d : 0;
            int n = changes[i];
            if (n >= window) {
                gain[i] = (gain[i] * (window - 1) + up) / window;
                loss[i] = (loss[i] * (window - 1) + down) / window;
            } else {
                changes[i] = ++n;
                gain[i] += up;
                loss[i] += down;
                if (n < window) {
                    return;
                }
                gain[i] /= window;
                loss[i] /= window;
            }
            value[i] = rsi(gain[i], loss[i]);
        }

        private static double rsi(double gain, double loss) {
            if (loss == 0) {
                return gain == 0 ? 50 : 100;
            }
            return 100 - 100 / (1 + gain / loss);
        }

        void ensureCapacity(int capacity) {
            if (capacity > value.length) {
                int old = value.length;
                changes = Arrays.copyOf(changes, capacity);
                previous = Arrays.copyOf(previous, capacity);
                gain = Arrays.copyOf(gain, capacity);
                loss = Arrays.copyOf(loss, capacity);
                value = Arrays.copyOf(value, capacity);
                Arrays.fill(previous, old, capacity, Double.NaN);
                Arrays.fill(value, old, capacity, Double.NaN);
            }
        }
    }
}
