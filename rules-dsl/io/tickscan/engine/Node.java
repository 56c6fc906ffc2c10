package io.tickscan.engine;

import io.tickscan.rules.Condition.Op;
import java.util.Arrays;

/**
 * A compiled condition, evaluated for every symbol of the engine at once into two bitsets: {@code t}, the
 * symbols for which it is true, and {@code u}, those for which it is unknown; the rest are false. Bit {@code j}
 * of word {@code w} is symbol {@code 64*w + j}. This is SQL's three-valued logic on 64 symbols a word:
 * <pre>
 *   and:  t = t1 &amp; t2,  notFalse = (t1|u1) &amp; (t2|u2),  u = notFalse &amp; ~t
 *   or:   t = t1 | t2,  notFalse = (t1|u1) | (t2|u2),  u = notFalse &amp; ~t
 *   not:  t = ~t1 &amp; ~u1,  u = u1
 * </pre>
 * A node only has to be right for the symbols set in {@code care}; an {@code and} narrows {@code care} to the
 * symbols still not false before it evaluates its next part (an {@code or} to those not yet true), so a
 * selective first comparison spares the others most of their work, a word at a time. Crosses ignore
 * {@code care}: they must see every symbol at every scan to remember its previous outcome. Nothing is allocated,
 * boxed or looked up while evaluating.
 */
abstract class Node {

    /**
     * Writes the truth of this condition for symbols {@code 0 .. n-1}.
     *
     * @param t    receives the true bits
     * @param u    receives the unknown bits
     * @param care the symbols whose result matters; the others may hold anything
     * @param time the scan time, for the nodes that remember the previous scan
     */
    abstract void eval(MetricColumns columns, long[] t, long[] u, long[] care, int n, long time);

    /** Grows any per-symbol storage to {@code capacity} symbols. */
    abstract void ensureCapacity(int capacity);

    static int words(int symbols) {
        return (symbols + 63) >>> 6;
    }

    /**
     * A comparison of columns, evaluated a word of 64 symbols at a time, skipping the words with no symbol in
     * {@code care}. Outside any {@code not}, unknown and false lead to the same firing ({@code and} and
     * {@code or} are monotone), so such a comparison is compiled {@code twoValued}: it computes the true bits
     * alone.
     */
    abstract static class Comparison extends Node {
        private final boolean twoValued;

        Comparison(boolean twoValued) {
            this.twoValued = twoValued;
        }

        /** Reads the columns this comparison needs for the coming words. */
        abstract void bind(MetricColumns columns);

        /** Bits of the symbols {@code base .. base+end-1} for which the comparison holds. */
        abstract long truths(int base, int end);

        /** Bits of the symbols {@code base .. base+end-1} for which a side is undefined. */
        abstract long unknowns(int base, int end);

        @Override
        final void eval(MetricColumns columns, long[] t, long[] u, long[] care, int n, long time) {
            bind(columns);
            int words = words(n);
            for (int w = 0; w < words; w++) {
                if (care[w] == 0) {
                    t[w] = 0;
                    u[w] = 0;
                } else {
                    word(w, n, t, u);
                }
            }
        }

        /** Writes the bits of word {@code w} (of {@code n} symbols) into {@code t} and {@code u}, once bound. */
        final void word(int w, int n, long[] t, long[] u) {
            int base = w << 6;
            int end = Math.min(64, n - base);
            t[w] = truths(base, end);
            u[w] = twoValued ? 0 : unknowns(base, end);
        }

        @Override
        final void ensureCapacity(int capacity) {
        }
    }

    /**
     * A comparison that several rules (or parts of one rule) make alike: computed once per scan, a word of 64
     * symbols at a time as the first of them needs it; the others copy the word. The words are kept for
     * {@link MetricColumns#evaluation()}, not for the scan's time, which can go back (a handed-over state's clock).
     */
    static final class Shared extends Node {
        private final Comparison comparison;
        private long[] sharedT = new long[0];
        private long[] sharedU = new long[0];
        /** Bit {@code w}: word {@code w} of {@link #sharedT} and {@link #sharedU} is of evaluation {@link #wordsOf}. */
        private long[] computed = new long[0];
        /** The evaluation ({@link MetricColumns#evaluation()}) the computed words are of. */
        private long wordsOf = Long.MIN_VALUE;

        Shared(Comparison comparison) {
            this.comparison = comparison;
        }

        @Override
        void eval(MetricColumns columns, long[] t, long[] u, long[] care, int n, long time) {
            long[] done = computed;
            long evaluation = columns.evaluation();
            if (wordsOf != evaluation) {
                Arrays.fill(done, 0);
                wordsOf = evaluation;
            }
            comparison.bind(columns);
            long[] st = sharedT;
            long[] su = sharedU;
            int words = words(n);
            for (int w = 0; w < words; w++) {
                if (care[w] == 0) {
                    t[w] = 0;
                    u[w] = 0;
                    continue;
                }
                long bit = 1L << w;
                if ((done[w >>> 6] & bit) == 0) {
                    comparison.word(w, n, st, su);
                    done[w >>> 6] |= bit;
                }
                t[w] = st[w];
                u[w] = su[w];
            }
        }

        @Override
        void ensureCapacity(int capacity) {
            int words = words(capacity);
            if (words > sharedT.length) {
                sharedT = new long[words];
                sharedU = new long[words];
                computed = new long[words(words)];
                wordsOf = Long.MIN_VALUE;
            }
        }
    }

    /** Bits of the NaN values of {@code a[base .. base+end-1]}. */
    static long undefined(double[] a, int base, int end) {
        long nan = 0;
        for (int j = 0; j < end; j++) {
            double x = a[base + j];
            nan |= (x != x ? 1L : 0L) << j;
        }
        return nan;
    }

    /** {@code metric op constant}. */
    static final class CompareConstant extends Comparison {
        private final int slot;
        private final Op op;
        private final double c;
        private double[] a;

        CompareConstant(int slot, Op op, double c, boolean twoValued) {
            super(twoValued);
            this.slot = slot;
            this.op = op;
            this.c = c;
        }

        @Override
        void bind(MetricColumns columns) {
            a = columns.column(slot);
        }

        @Override
        long truths(int base, int end) {
            double[] x = a;
            double k = c;
            long hit = 0;
            switch (op) {
                case GT -> {
                    for (int j = 0; j < end; j++) {
                        hit |= (x[base + j] > k ? 1L : 0L) << j;
                    }
                }
                case GE -> {
                    for (int j = 0; j < end; j++) {
                        hit |= (x[base + j] >= k ? 1L : 0L) << j;
                    }
                }
                case LT -> {
                    for (int j = 0; j < end; j++) {
                        hit |= (x[base + j] < k ? 1L : 0L) << j;
                    }
                }
                case LE -> {
                    for (int j = 0; j < end; j++) {
                        hit |= (x[base + j] <= k ? 1L : 0L) << j;
                    }
                }
            }
            return hit;
        }

        @Override
        long unknowns(int base, int end) {
            return undefined(a, base, end);
        }
    }

    /** {@code metric op metric}, any operator turned into {@code >} or {@code >=} by swapping sides. */
    static final class CompareColumns extends Comparison {
        private final int left;
        private final int right;
        private final boolean orEqual;
        private double[] a;
        private double[] b;

        CompareColumns(int left, Op op, int right, boolean twoValued) {
            super(twoValued);
            boolean below = op == Op.LT || op == Op.LE;
            this.left = below ? right : left;
            this.right = below ? left : right;
            this.orEqual = op == Op.GE || op == Op.LE;
        }

        @Override
        void bind(MetricColumns columns) {
            a = columns.column(left);
            b = columns.column(right);
        }

        @Override
        long truths(int base, int end) {
            double[] x = a;
            double[] y = b;
            long hit = 0;
            if (orEqual) {
                for (int j = 0; j < end; j++) {
                    hit |= (x[base + j] >= y[base + j] ? 1L : 0L) << j;
                }
            } else {
                for (int j = 0; j < end; j++) {
                    hit |= (x[base + j] > y[base + j] ? 1L : 0L) << j;
                }
            }
            return hit;
        }

        @Override
        long unknowns(int base, int end) {
            return undefined(a, base, end) | undefined(b, base, end);
        }
    }

    /** {@code value between lo and hi}, inclusive; each side a metric or a constant column. */
    static final class Between extends Comparison {
        private final int value;
        private final int lo;
        private final int hi;
        private double[] v;
        private double[] l;
        private double[] h;

        Between(int value, int lo, int hi, boolean twoValued) {
            super(twoValued);
            this.value = value;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        void bind(MetricColumns columns) {
            v = columns.column(value);
            l = columns.column(lo);
            h = columns.column(hi);
        }

        @Override
        long truths(int base, int end) {
            long hit = 0;
            for (int j = 0; j < end; j++) {
                double x = v[base + j];
                hit |= (x >= l[base + j] & x <= h[base + j] ? 1L : 0L) << j;
            }
            return hit;
        }

        @Override
        long unknowns(int base, int end) {
            return undefined(v, base, end) | undefined(l, base, end) | undefined(h, base, end);
        }
    }

    /**
     * {@code a crosses_above b} (or below): at the previous scan, exactly one second earlier, both sides were
     * defined and {@code a <= b}; now both are defined and {@code a > b}. Of the previous scan only its outcome is
     * kept, as two bitsets refreshed at every scan for every symbol whatever {@code care} says: which symbols had
     * {@code a > b} (for crosses_below, {@code b > a}) and which had a side unknown. Rules that share the same
     * cross share one node, which computes it once per scan.
     */
    static final class Cross extends Node {
        private static final long SCAN_INTERVAL_MS = 1000;
        private final int left;
        private final int right;
        private final boolean above;
        private final String key;
        /** The symbols whose crossing side was above the other at {@link #previousScan}. */
        private long[] wasAbove = new long[0];
        /** The symbols with a side unknown at {@link #previousScan}, or not known to be of that scan. */
        private long[] wasUnknown = new long[0];
        /** The scan the previous outcome is of, {@code Long.MIN_VALUE} before the first. */
        long previousScan = Long.MIN_VALUE;
        private long[] resultT = new long[0];
        private long[] resultU = new long[0];

        /**
         * @param key the cross as the rules write it ({@code ema(9) crosses_above ema(21)}), which names it in a
         *            checkpoint whatever slots its metrics get
         */
        Cross(int left, int right, boolean above, String key) {
            this.left = left;
            this.right = right;
            this.above = above;
            this.key = key;
        }

        /** The cross as the rules write it. */
        String key() {
            return key;
        }

        @Override
        void eval(MetricColumns columns, long[] t, long[] u, long[] care, int n, long time) {
            if (previousScan != time) {
                compute(columns, n, time);
            }
            System.arraycopy(resultT, 0, t, 0, words(n));
            System.arraycopy(resultU, 0, u, 0, words(n));
        }

        private void compute(MetricColumns columns, int n, long time) {
            long[] t = resultT;
            long[] u = resultU;
            long[] before = wasAbove;
            long[] unknownBefore = wasUnknown;
            int words = words(n);
            if (previousScan != time - SCAN_INTERVAL_MS) {
                Arrays.fill(unknownBefore, 0, words, -1L);
            }
            // crosses_above a b: a was <= b and is > b; crosses_below: b was <= a and is > a
            double[] x = columns.column(above ? left : right);
            double[] y = columns.column(above ? right : left);
            for (int w = 0; w < words; w++) {
                int base = w << 6;
                int end = Math.min(64, n - base);
                long gt = 0;
                long nan = end == 64 ? 0 : -1L << end; // symbols not there yet: unknown when they come
                for (int j = 0; j < end; j++) {
                    double xi = x[base + j];
                    double yi = y[base + j];
                    gt |= (xi > yi ? 1L : 0L) << j;
                    nan |= (xi != xi | yi != yi ? 1L : 0L) << j;
                }
                t[w] = gt & ~before[w] & ~unknownBefore[w];
                u[w] = nan | unknownBefore[w];
                before[w] = gt;
                unknownBefore[w] = nan;
            }
            previousScan = time;
        }

        @Override
        void ensureCapacity(int capacity) {
            int words = words(capacity);
            if (words > wasAbove.length) {
                int old = wasAbove.length;
                wasAbove = Arrays.copyOf(wasAbove, words);
                wasUnknown = Arrays.copyOf(wasUnknown, words);
                Arrays.fill(wasUnknown, old, words, -1L);
                resultT = new long[words];
                resultU = new long[words];
            }
        }

        /** Forgets symbol {@code i}'s previous sides: unknown until the next scan. */
        void forget(int i) {
            wasUnknown[i >>> 6] |= 1L << i;
        }

        /**
         * Takes symbol {@code i}'s sides at {@link #previousScan} (NaN when unknown): only their order is kept.
         */
        void restorePrevious(int i, double previousLeft, double previousRight) {
            double x = above ? previousLeft : previousRight;
            double y = above ? previousRight : previousLeft;
            long bit = 1L << i;
            if (x != x || y != y) {
                wasUnknown[i >>> 6] |= bit;
                return;
            }
            wasUnknown[i >>> 6] &= ~bit;
            if (x > y) {
                wasAbove[i >>> 6] |= bit;
            } else {
                wasAbove[i >>> 6] &= ~bit;
            }
        }

        /**
         * Symbol {@code i}'s sides at {@link #previousScan} as two values in the same order as they were, left then
         * right: (NaN, NaN) when a side was unknown, else 1 for the side that was above the other and 0 for the
         * other (0 and 0 when the crossing side was not above). What a checkpoint keeps, read back by
         * {@link #restorePrevious}.
         */
        double previousSide(int i, boolean leftSide) {
            if ((wasUnknown[i >>> 6] & 1L << i) != 0) {
                return Double.NaN;
            }
            boolean crossingSideAbove = (wasAbove[i >>> 6] & 1L << i) != 0;
            boolean crossingSide = leftSide == above;
            return crossingSideAbove && crossingSide ? 1 : 0;
        }

        /** True when {@code other} computes the same cross. */
        boolean sameAs(int left, int right, boolean above) {
            return this.left == left && this.right == right && this.above == above;
        }
    }

    /** All parts ({@code and}) or any part ({@code or}), narrowing {@code care} part after part. */
    static final class Junction extends Node {
        private final Node[] parts;
        private final boolean all;
        private long[] partT = new long[0];
        private long[] partU = new long[0];
        private long[] narrowed = new long[0];

        Junction(Node[] parts, boolean all) {
            this.parts = parts;
            this.all = all;
        }

        @Override
        void eval(MetricColumns columns, long[] t, long[] u, long[] care, int n, long time) {
            int words = words(n);
            parts[0].eval(columns, t, u, care, n, time);
            long[] pt = partT;
            long[] pu = partU;
            long[] open = narrowed;
            for (int p = 1; p < parts.length; p++) {
                for (int w = 0; w < words; w++) {
                    open[w] = care[w] & (all ? t[w] | u[w] : ~t[w]);
                }
                parts[p].eval(columns, pt, pu, open, n, time);
                if (all) {
                    for (int w = 0; w < words; w++) {
                        long notFalse = (t[w] | u[w]) & (pt[w] | pu[w]);
                        t[w] &= pt[w];
                        u[w] = notFalse & ~t[w];
                    }
                } else {
                    for (int w = 0; w < words; w++) {
                        long notFalse = t[w] | u[w] | pt[w] | pu[w];
                        t[w] |= pt[w];
                        u[w] = notFalse & ~t[w];
                    }
                }
            }
        }

        @Override
        void ensureCapacity(int capacity) {
            int words = words(capacity);
            if (words > partT.length) {
                partT = new long[words];
                partU = new long[words];
                narrowed = new long[words];
            }
            for (Node part : parts) {
                part.ensureCapacity(capacity);
            }
        }
    }

    /** {@code not part}: true and false swap, unknown stays unknown. */
    static final class Negation extends Node {
        private final Node part;

        Negation(Node part) {
            this.part = part;
        }

        @Override
        void eval(MetricColumns columns, long[] t, long[] u, long[] care, int n, long time) {
            part.eval(columns, t, u, care, n, time);
            int words = words(n);
            for (int w = 0; w < words; w++) {
                t[w] = ~t[w] & ~u[w];
            }
        }

        @Override
        void ensureCapacity(int capacity) {
            part.ensureCapacity(capacity);
        }
    }
}
