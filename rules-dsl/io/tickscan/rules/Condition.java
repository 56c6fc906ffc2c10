package io.tickscan.rules;

import java.util.List;

/**
 * The parsed form of a rule's condition, shared by the text form ({@code when}) and the JSON form
 * ({@code conditions}). It is what the compiler turns into an evaluator; it is never evaluated itself.
 */
public sealed interface Condition {

    /** A side of a comparison: a metric, or a number when {@code metric} is null. */
    record Operand(MetricRef metric, double number) {
        /** An operand reading {@code metric}. */
        public static Operand of(MetricRef metric) {
            return new Operand(metric, Double.NaN);
        }

        /** A constant operand. */
        public static Operand of(double number) {
            return new Operand(null, number);
        }

        /** True when this operand reads a metric. */
        public boolean isMetric() {
            return metric != null;
        }
    }

    /** The comparison operators of {@code lhs op rhs}. */
    enum Op {
        /** {@code >} */
        GT(">"),
        /** {@code >=} */
        GE(">="),
        /** {@code <} */
        LT("<"),
        /** {@code <=} */
        LE("<=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** How the operator is written. */
        public String symbol() {
            return symbol;
        }

        /** The operator that gives the same result with its sides swapped ({@code a > b} is {@code b < a}). */
        public Op mirrored() {
            return switch (this) {
                case GT -> LT;
                case GE -> LE;
                case LT -> GT;
                case LE -> GE;
            };
        }
    }

    /** {@code lhs op rhs}. */
    record Comparison(Operand lhs, Op op, Operand rhs) implements Condition {
    }

    /** {@code value between lo and hi}, inclusive. */
    record Between(Operand value, Operand lo, Operand hi) implements Condition {
    }

    /** {@code lhs crosses_above rhs} ({@code above}) or {@code lhs crosses_below rhs}. */
    record Cross(Operand lhs, boolean above, Operand rhs) implements Condition {
    }

    /** All of the parts. */
    record And(List<Condition> parts) implements Condition {
    }

    /** Any of the parts. */
    record Or(List<Condition> parts) implements Condition {
    }

    /** The negation of {@code part} (unknown stays unknown). */
    record Not(Condition part) implements Condition {
    }
}
