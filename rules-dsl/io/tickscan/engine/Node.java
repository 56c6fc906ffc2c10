package io.tickscan.engine;

import io.tickscan.rules.Condition.Op;
import java.util.Arrays;

/**
 * A compiled condition, evaluated for every symbol of the engine at once into a column of three-valued truths.
 *
 * <p>Truth is a byte ordered {@link #FALSE} &lt; {@link #UNKNOWN} &lt; {@link #TRUE}, so that {@code and} is the
 * minimum, {@code or} the maximum and {@code not} is {@code TRUE - x}: exactly SQL's three-valued logic. Each
 * node reads metric columns by slot and writes into an array it is given; nothing is allocated, boxed or looked
 * up while evaluating, and each loop runs over plain arrays.
 */
abstract class Node {
    static final byte FALSE = 0;
    static final byte UNKNOWN = 1;
    static final byte TRUE = 2;

    /**
     * Writes the truth of this condition for symbols {@code 0 .. n-1} into {@code out}.
     *
     * @param t the scan time, for the nodes that remember the previous scan
     */
    abstract void eval(MetricColumns columns, byte[] out, int n, long t);

    /** Grows any per-symbol storage to {@code capacity}. */
    abstract void ensureCapacity(int capacity);

    /** {@code metric op constant}. */
    static final class CompareConstant extends Node {
        private final int slot;
        private final Op op;
        private final double c;

        CompareConstant(int slot, Op op, double c) {
            this.slot = slot;
            this.op = op;
            this.c = c;
        }

        @Override
        void eval(MetricColumns columns, byte[] out, int n, long t) {
            double[] a = columns.column(slot);
            double k = c;
            switch (op) {
                case GT -> {
                    for (int i = 0; i < n; i++) {
                        double v = a[i];
                        out[i] = v > k ? TRUE : v == v ? FALSE : UNKNOWN;
                    }
                }
                case GE -> {
                    for (int i = 0; i < n; i++) {
                        double v = a[i];
                        out[i] = v >= k ? TRUE : v == v ? FALSE : UNKNOWN;
                    }
                }
                case LT -> {
                    for (int i = 0; i < n; i++) {
                        double v = a[i];
                        out[i] = v < k ? TRUE : v == v ? FALSE : UNKNOWN;
                    }
                }
                case LE -> {
                    for (int i = 0; i < n; i++) {
                        double v = a[i];
                        out[i] = v <= k ? TRUE : v == v ? FALSE : UNKNOWN;
                    }
                }
            }
        }

        @Override
        void ensureCapacity(int capacity) {
        }
    }

    /** {@code metric op metric}. */
    static final class CompareColumns extends Node {
        private final int left;
        private final Op op;
        private final int right;

        CompareColumns(int left, Op op, int right) {
            this.left = left;
            this.op = op;
            this.right = right;
        }

        @Override
        void eval(MetricColumns columns, byte[] out, int n, long t) {
            double[] a = columns.column(left);
            double[] b = columns.column(right);
            switch (op) {
                case GT -> {
                    for (int i = 0; i < n; i++) {
                        double x = a[i];
                        double y = b[i];
                        out[i] = x > y ? TRUE : (x == x && y == y) ? FALSE : UNKNOWN;
                    }
                }
                case GE -> {
                    for (int i = 0; i < n; i++) {
                        double x = a[i];
                        double y = b[i];
                        out[i] = x >= y ? TRUE : (x == x && y == y) ? FALSE : UNKNOWN;
                    }
                }
                case LT -> {
                    for (int i = 0; i < n; i++) {
                        double x = a[i];
                        double y = b[i];
                        out[i] = x < y ? TRUE : (x == x && y == y) ? FALSE : UNKNOWN;
                    }
                }
                case LE -> {
                    for (int i = 0; i < n; i++) {
                        double x = a[i];
                        double y = b[i];
                        out[i] = x <= y ? TRUE : (x == x && y == y) ? FALSE : UNKNOWN;
                    }
                }
            }
        }

        @Override
        void ensureCapacity(int capacity) {
        }
    }

    /** {@code value between lo and hi}, inclusive; each side a metric or constant column. */
    static final class Between extends Node {
        private final int value;
        private final int lo;
        private final int hi;

        Between(int value, int lo, int hi) {
            this.value = value;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        void eval(MetricColumns columns, byte[] out, int n, long t) {
            double[] v = columns.column(value);
            double[] l = columns.column(lo);
            double[] h = columns.column(hi);
            for (int i = 0; i < n; i++) {
                double x = v[i];
                double a = l[i];
                double b = h[i];
                out[i] = (x >= a && x <= b) ? TRUE : (x == x && a == a && b == b) ? FALSE : UNKNOWN;
            }
        }

        @Override
        void ensureCapacity(int capacity) {
        }
    }

    /**
     * {@code a crosses_above b} (or below): at the previous scan, exactly one second earlier, both sides were
     * defined and {@code a <= b}; now both are defined and {@code a > b}. The previous values are kept per
     * symbol in two arrays, refreshed at every scan for every symbol.
     */
    static final class Cross extends Node {
        private static final long SCAN_INTERVAL_MS = 1000;
        private final int left;
        private final int right;
        private final boolean above;
        private double[] previousLeft = new double[0];
        private double[] previousRight = new double[0];
        private long previousScan = Long.MIN_VALUE;

        Cross(int left, int right, boolean above) {
            this.left = left;
            this.right = right;
            this.above = above;
        }

        @Override
        void eval(MetricColumns columns, byte[] out, int n, long t) {
            double[] a = columns.column(left);
            double[] b = columns.column(right);
            double[] pa = previousLeft;
            double[] pb = previousRight;
            if (previousScan != t - SCAN_INTERVAL_MS) {
                Arrays.fill(pa, 0, n, Double.NaN);
            }
            for (int i = 0; i < n; i++) {
                double x = a[i];
                double y = b[i];
                double px = pa[i];
                double py = pb[i];
                boolean defined = x == x && y == y && px == px && py == py;
                boolean crossed = above ? (px <= py && x > y) : (px >= py && x < y);
                out[i] = !defined ? UNKNOWN : crossed ? TRUE : FALSE;
                pa[i] = x;
                pb[i] = y;
            }
            previousScan = t;
        }

        @Override
        void ensureCapacity(int capacity) {
            if (capacity > previousLeft.length) {
                int old = previousLeft.length;
                previousLeft = Arrays.copyOf(previousLeft, capacity);
                previousRight = Arrays.copyOf(previousRight, capacity);
                Arrays.fill(previousLeft, old, capacity, Double.NaN);
                Arrays.fill(previousRight, old, capacity, Double.NaN);
            }
        }
    }

    /** All parts ({@code and}, the minimum) or any part ({@code or}, the maximum). */
    static final class Junction extends Node {
        private final Node[] parts;
        private final boolean all;
        private byte[] scratch = new byte[0];

        Junction(Node[] parts, boolean all) {
            this.parts = parts;
            this.all = all;
        }

        @Override
        void eval(MetricColumns columns, byte[] out, int n, long t) {
            parts[0].eval(columns, out, n, t);
            byte[] tmp = scratch;
            for (int p = 1; p < parts.length; p++) {
                parts[p].eval(columns, tmp, n, t);
                if (all) {
                    for (int i = 0; i < n; i++) {
                        out[i] = (byte) Math.min(out[i], tmp[i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        out[i] = (byte) Math.max(out[i], tmp[i]);
                    }
                }
            }
        }

        @Override
        void ensureCapacity(int capacity) {
            if (capacity > scratch.length) {
                scratch = new byte[capacity];
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
        void eval(MetricColumns columns, byte[] out, int n, long t) {
            part.eval(columns, out, n, t);
            for (int i = 0; i < n; i++) {
                out[i] = (byte) (TRUE - out[i]);
            }
        }

        @Override
        void ensureCapacity(int capacity) {
            part.ensureCapacity(capacity);
        }
    }
}
