package io.tickscan.engine;

import io.tickscan.rules.Condition;
import io.tickscan.rules.Condition.And;
import io.tickscan.rules.Condition.Between;
import io.tickscan.rules.Condition.Comparison;
import io.tickscan.rules.Condition.Cross;
import io.tickscan.rules.Condition.Not;
import io.tickscan.rules.Condition.Operand;
import io.tickscan.rules.Condition.Or;
import io.tickscan.rules.MetricKind;
import io.tickscan.rules.MetricRef;
import io.tickscan.rules.RuleDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Turns validated rules into {@link CompiledRule}s over one layout of metric columns. */
final class RuleCompiler {
    private final MetricColumns.Layout layout = new MetricColumns.Layout();
    private final List<RuleDefinition> rules;
    private final List<Node.Cross> crosses = new ArrayList<>();
    /** How many times each comparison (a leaf other than a cross) occurs in the rules. */
    private final Map<Condition, Long> comparisonUses;
    /** The node of each comparison that occurs more than once, by the comparison and its logic. */
    private final Map<List<Object>, Node> sharedComparisons = new HashMap<>();
    private final NodeBuilder outsideNot = new NodeBuilder(true);
    private final NodeBuilder insideNot = new NodeBuilder(false);

    /** Lays out every metric of {@code rules}; only enabled rules are compiled. */
    RuleCompiler(List<RuleDefinition> rules) {
        this.rules = rules.stream().filter(RuleDefinition::enabled)
                .sorted(Comparator.comparing(RuleDefinition::id)).toList();
        this.rules.forEach(rule -> rule.metrics().forEach(layout::metric));
        this.comparisonUses = this.rules.stream().flatMap(rule -> rule.condition().leaves())
                .filter(leaf -> !(leaf instanceof Cross))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    MetricColumns.Layout layout() {
        return layout;
    }

    /** Distinct windows of the metrics of {@code kind} the rules read. */
    int[] windows(MetricKind kind) {
        return layout.metrics().stream().filter(m -> m.kind() == kind).mapToInt(MetricRef::window).toArray();
    }

    /** The distinct crosses of the rules compiled so far, one node each. */
    Node.Cross[] crosses() {
        return crosses.toArray(new Node.Cross[0]);
    }

    /** Compiles every enabled rule, sorted by id. */
    CompiledRule[] compile() {
        return rules.stream().map(this::compile).toArray(CompiledRule[]::new);
    }

    private CompiledRule compile(RuleDefinition rule) {
        int[] slots = rule.metrics().stream().mapToInt(layout::metric).toArray();
        Condition condition = rule.condition();
        return new CompiledRule(rule, condition.accept(outsideNot), slots,
                condition.leaves().anyMatch(Cross.class::isInstance));
    }

    /** Compiles a condition into its node. */
    private final class NodeBuilder implements Condition.Visitor<Node> {
        private final boolean twoValued;

        /**
         * @param twoValued false inside a {@code not}, where unknown must be told from false; elsewhere the
         *                  comparisons are compiled two-valued
         */
        NodeBuilder(boolean twoValued) {
            this.twoValued = twoValued;
        }

        @Override
        public Node visit(Comparison c) {
            return shareable(c, comparison(c));
        }

        private Node.Comparison comparison(Comparison c) {
            if (!c.rhs().isMetric()) {
                return new Node.CompareConstant(layout.metric(c.lhs().metric()), c.op(), c.rhs().number(), twoValued);
            }
            if (!c.lhs().isMetric()) {
                return new Node.CompareConstant(layout.metric(c.rhs().metric()), c.op().mirrored(), c.lhs().number(),
                        twoValued);
            }
            return new Node.CompareColumns(layout.metric(c.lhs().metric()), c.op(), layout.metric(c.rhs().metric()),
                    twoValued);
        }

        @Override
        public Node visit(Between b) {
            return shareable(b, new Node.Between(slot(b.value()), slot(b.lo()), slot(b.hi()), twoValued));
        }

        /**
         * The node of a comparison: its own when it occurs once in the rules, else one node shared by every
         * occurrence with the same logic, computed once per scan.
         */
        private Node shareable(Condition leaf, Node.Comparison node) {
            if (comparisonUses.getOrDefault(leaf, 0L) < 2) {
                return node;
            }
            return sharedComparisons.computeIfAbsent(List.of(leaf, twoValued), key -> new Node.Shared(node));
        }

        @Override
        public Node visit(Cross x) {
            return cross(slot(x.lhs()), slot(x.rhs()), x.above(),
                    x.lhs() + (x.above() ? " crosses_above " : " crosses_below ") + x.rhs());
        }

        @Override
        public Node visit(And a) {
            return new Node.Junction(a.parts().stream().map(p -> p.accept(this)).toArray(Node[]::new), true);
        }

        @Override
        public Node visit(Or o) {
            return new Node.Junction(o.parts().stream().map(p -> p.accept(this)).toArray(Node[]::new), false);
        }

        @Override
        public Node visit(Not n) {
            return new Node.Negation(n.part().accept(insideNot));
        }
    }

    /** One node per distinct cross, shared by every rule that uses it. */
    private Node.Cross cross(int left, int right, boolean above, String key) {
        for (Node.Cross existing : crosses) {
            if (existing.sameAs(left, right, above)) {
                return existing;
            }
        }
        Node.Cross cross = new Node.Cross(left, right, above, key);
        crosses.add(cross);
        return cross;
    }

    private int slot(Operand operand) {
        return operand.isMetric() ? layout.metric(operand.metric()) : layout.constant(operand.number());
    }
}
