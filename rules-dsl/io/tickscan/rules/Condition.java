package io.tickscan.rules;

import java.util.List;
import java.util.stream.Stream;

/**
 * The parsed form of a rule's condition, shared by the text form ({@code when}) and the JSON form
 * ({@code conditions}). It is what the compiler turns into an evaluator; it is never evaluated itself.
 *
 * <p>Code that treats each kind of condition its own way implements a {@link Visitor}; code that only needs the
 * comparisons or the metrics of a tree uses {@link #leaves()}, {@link #operands()} and {@link #metrics()}.
 */
public sealed interface Condition {

    /**
     * Calls the method of {@code visitor} for this kind of condition.
     *
     * @return what that method returns
     */
    <R> R accept(Visitor<R> visitor);

    /** The comparisons, betweens and crosses of this condition, left to right: itself when it is one. */
    Stream<Condition> leaves();

    /** Every side of every comparison, between and cross of this condition, left to right. */
    Stream<Operand> operands();

    /** Every metric the condition reads, in the order they first appear, without repeats. */
    default List<MetricRef> metrics() {
        return operands().filter(Operand::isMetric).map(Operand::metric).distinct().toList();
    }

    /**
     * One method per kind of condition, for code that treats each kind its own way (the compiler).
     *
     * @param <R> what each method returns
     */
    interface Visitor<R> {
        /** A {@code lhs op rhs}. */
        R visit(Comparison comparison);

        /** A {@code value between lo and hi}. */
        R visit(Between between);

        /** A {@code lhs crosses_above rhs} or {@code lhs crosses_below rhs}. */
        R visit(Cross cross);

        /** An {@code and} of parts. */
        R visit(And and);

        /** An {@code or} of parts. */
        R visit(Or or);

        /** A {@code not}. */
        R visit(Not not);
    }

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

        /** As the text form writes it: the metric's canonical name, or the number ({@code 5}, {@code -0.5}). */
        @Override
        public String toString() {
            if (isMetric()) {
                return metric.canonical();
            }
            return number == Math.rint(number) && Math.abs(number) < 1e15 ? Long.toString((long) number)
                    : Double.toString(number);
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

        /** The operator written {@code symbol} ({@code >}, {@code >=}, {@code <}, {@code <=}), or null. */
        public static Op of(String symbol) {
            for (Op op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            return null;
        }
    }

    /** A comparison: a leaf of the tree, which {@link #leaves()} yields itself. */
    sealed interface Leaf extends Condition {
        @Override
        default Stream<Condition> leaves() {
            return Stream.of(this);
        }
    }

    /** {@code lhs op rhs}. */
    record Comparison(Operand lhs, Op op, Operand rhs) implements Leaf {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visit(this);
        }

        @Override
        public Stream<Operand> operands() {
            return Stream.of(lhs, rhs);
        }
    }

    /** {@code value between lo and hi}, inclusive. */
    record Between(Operand value, Operand lo, Operand hi) implements Leaf {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visit(this);
        }

        @Override
        public Stream<Operand> operands() {
            return Stream.of(value, lo, hi);
        }
    }

    /** {@code lhs crosses_above rhs} ({@code above}) or {@code lhs crosses_below rhs}. */
    record Cross(Operand lhs, boolean above, Operand rhs) implements Leaf {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visit(this);
        }

        @Override
        public Stream<Operand> operands() {
            return Stream.of(lhs, rhs);
        }
    }

    /** {@code and} or {@code or} of parts: its leaves and operands are those of its parts. */
    sealed interface Group extends Condition {
        /** The parts, in order. */
        List<Condition> parts();

        @Override
        default Stream<Condition> leaves() {
            return parts().stream().flatMap(Condition::leaves);
        }

        @Override
        default Stream<Operand> operands() {
            return parts().stream().flatMap(Condition::operands);
        }
    }

    /** All of the parts. */
    record And(List<Condition> parts) implements Group {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visit(this);
        }
    }

    /** Any of the parts. */
    record Or(List<Condition> parts) implements Group {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visit(this);
        }
    }

    /** The negation of {@code part} (unknown stays unknown). */
    record Not(Condition part) implements Condition {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.visit(this);
        }

        @Override
        public Stream<Condition> leaves() {
            return part.leaves();
        }

        @Override
        public Stream<Operand> operands() {
            return part.operands();
        }
    }
}
