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
import java.util.List;

/** Turns validated rules into {@link CompiledRule}s over one layout of metric columns. */
final class RuleCompiler {
    private final MetricColumns.Layout layout = new MetricColumns.Layout();
    private final List<RuleDefinition> rules;
    private final List<Node.Cross> crosses = new ArrayList<>();

    /** Lays out every metric of {@code rules}; only enabled rules are compiled. */
    RuleCompiler(List<RuleDefinition> rules) {
        this.rules = rules.stream().filter(RuleDefinition::enabled)
                .sorted(Comparator.comparing(RuleDefinition::id)).toList();
        this.rules.forEach(rule -> rule.metrics().forEach(layout::metric));
    }

    MetricColumns.Layout layout() {
        return layout;
    }

    /** Distinct windows of the metrics of {@code kind} the rules read. */
    int[] windows(MetricKind kind) {
        return layout.metrics().stream().filter(m -> m.kind() == kind).mapToInt(MetricRef::window).toArray();
    }

    /** Compiles every enabled rule, sorted by id. */
    CompiledRule[] compile() {
        return rules.stream().map(this::compile).toArray(CompiledRule[]::new);
    }

    private CompiledRule compile(RuleDefinition rule) {
        int[] slots = rule.metrics().stream().mapToInt(layout::metric).toArray();
        return new CompiledRule(rule, node(rule.condition(), false), slots, hasCross(rule.condition()));
    }

    /**
     * @param underNot true inside a {@code not}, where unknown must be told from false; elsewhere the
     *                 comparisons are compiled two-valued
     */
    private Node node(Condition condition, boolean underNot) {
        boolean twoValued = !underNot;
        if (condition instanceof Comparison c) {
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
        if (condition instanceof Between b) {
            return new Node.Between(slot(b.value()), slot(b.lo()), slot(b.hi()), twoValued);
        }
        if (condition instanceof Cross x) {
            return cross(slot(x.lhs()), slot(x.rhs()), x.above());
        }
        if (condition instanceof And a) {
            return new Node.Junction(a.parts().stream().map(p -> node(p, underNot)).toArray(Node[]::new), true);
        }
        if (condition instanceof Or o) {
            return new Node.Junction(o.parts().stream().map(p -> node(p, underNot)).toArray(Node[]::new), false);
        }
        return new Node.Negation(node(((Not) condition).part(), true));
    }

    private static boolean hasCross(Condition condition) {
        if (condition instanceof Cross) {
            return true;
        }
        if (condition instanceof And a) {
            return a.parts().stream().anyMatch(RuleCompiler::hasCross);
        }
        if (condition instanceof Or o) {
            return o.parts().stream().anyMatch(RuleCompiler::hasCross);
        }
        return condition instanceof Not not && hasCross(not.part());
    }

    /** One node per distinct cross, shared by every rule that uses it. */
    private Node.Cross cross(int left, int right, boolean above) {
        for (Node.Cross existing : crosses) {
            if (existing.sameAs(left, right, above)) {
                return existing;
            }
        }
        Node.Cross cross = new Node.Cross(left, right, above);
        crosses.add(cross);
        return cross;
    }

    private int slot(Operand operand) {
        return operand.isMetric() ? layout.metric(operand.metric()) : layout.constant(operand.number());
    }
}
