package io.tickscan.rules;

import io.tickscan.rules.Condition.And;
import io.tickscan.rules.Condition.Between;
import io.tickscan.rules.Condition.Comparison;
import io.tickscan.rules.Condition.Cross;
import io.tickscan.rules.Condition.Op;
import io.tickscan.rules.Condition.Operand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a rules file, already parsed into plain Java values (maps, lists, strings, numbers, booleans and null,
 * as any JSON reader gives them), into a {@link RuleSet}.
 *
 * <p>It checks everything the rules file contract says: fields and their types, the {@code when} grammar and the
 * {@code conditions} form, metric names and windows against the history the engine keeps, unique ids, price
 * bounds, {@code between} bounds in order, and the {@link RuleLimits}: a set with more rules than
 * {@code rules.max_rules} is refused with that one error (its rules are not read), and a rule with more
 * comparisons than {@code rules.max_conditions} with one error for that rule. Every other error found is
 * collected; one invalid rule, enabled or not, refuses the whole set. It throws nothing but
 * {@link RuleSetException}, whatever the input.
 */
public final class RuleSetReader {

    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Set<String> RULE_FIELDS =
            Set.of("id", "name", "description", "when", "conditions", "cooldown_sec", "universe", "enabled");
    private static final Set<String> CONDITION_FIELDS = Set.of("metric", "op", "value", "metric2");
    private static final Set<String> UNIVERSE_FIELDS = Set.of("symbols", "min_price", "max_price");
    /** Largest {@code cooldown_sec} accepted: a year. */
    public static final int MAX_COOLDOWN_SEC = 31_536_000;

    private final int historyLimit;
    private final RuleLimits limits;
    private final List<RuleError> errors = new ArrayList<>();

    private RuleSetReader(RuleLimits limits) {
        this.limits = limits;
        this.historyLimit = limits.historyMinutes();
    }

    /**
     * Reads and validates a whole rules file.
     *
     * @param tree         a JSON array of rules, or an object whose {@code rules} is one
     * @param historyLimit complete 1-minute bars the engine keeps; a rule that needs more is refused
     * @throws RuleSetException with every error when anything is invalid
     */
    public static RuleSet read(Object tree, int historyLimit) {
        return read(tree, RuleLimits.withHistory(historyLimit));
    }

    /**
     * Reads and validates a whole rules file within {@code limits}.
     *
     * @param tree   a JSON array of rules, or an object whose {@code rules} is one
     * @param limits history, rules per set and conditions per rule
     * @throws RuleSetException with every error when anything is invalid
     */
    public static RuleSet read(Object tree, RuleLimits limits) {
        return new RuleSetReader(limits).readFile(tree);
    }

    private RuleSet readFile(Object tree) {
        Object rules = tree;
        if (tree instanceof Map<?, ?> map) {
            for (Object key : map.keySet()) {
                if (!"rules".equals(key) && !"version".equals(key)) {
                    errors.add(new RuleError(-1, null, RuleError.cut(String.valueOf(key)),
                            "unknown field; a rules file is an array "
                            + "of rules or an object with \"rules\" (and the \"version\" GET /api/rules reports, "
                            + "which is ignored)"));
                }
            }
            rules = map.get("rules");
        }
        if (!(rules instanceof List<?> list)) {
            errors.add(new RuleError(-1, null, "", "expected a JSON array of rules or an object {\"rules\": [...]}"));
            throw new RuleSetException(errors);
        }
        if (list.size() > limits.maxRules()) {
            errors.add(new RuleError(-1, null, "", "the set holds " + list.size()
                    + " rules, more than rules.max_rules (" + limits.maxRules() + ")"));
            throw new RuleSetException(errors);
        }
        List<RuleDefinition> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            RuleDefinition rule = readRule(i, list.get(i));
            if (rule != null) {
                Integer first = seen.putIfAbsent(rule.id(), i);
                if (first != null) {
                    errors.add(new RuleError(i, rule.id(), "id", "duplicate id, also used by rules[" + first + "]"));
                }
                out.add(rule);
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleSetException(errors);
        }
        return new RuleSet(List.copyOf(out));
    }

    /** One rule, or null when it has errors (which are recorded). */
    private RuleDefinition readRule(int index, Object node) {
        if (!(node instanceof Map<?, ?> rule)) {
            errors.add(new RuleError(index, null, "", "expected a JSON object, found " + describe(node)));
            return null;
        }
        int before = errors.size();
        Object idValue = rule.get("id");
        String id = idValue instanceof String s && ID.matcher(s).matches() ? s : null;
        RuleScope scope = new RuleScope(index, id);
        if (idValue == null) {
            scope.error("id", "required field is missing");
        } else if (id == null) {
            scope.error("id", "expected 1 to 64 of a-z A-Z 0-9 _ -, found " + describe(idValue));
        }
        for (Object key : rule.keySet()) {
            if (!RULE_FIELDS.contains(key)) {
                scope.error(RuleError.cut(String.valueOf(key)),
                        "unknown field; a rule has " + String.join(", ", sorted(RULE_FIELDS)));
            }
        }
        String name = optionalString(scope, rule, "name");
        optionalString(scope, rule, "description");
        Condition condition = null;
        boolean hasWhen = rule.containsKey("when");
        boolean hasConditions = rule.containsKey("conditions");
        if (hasWhen == hasConditions) {
            scope.error("", hasWhen ? "has both 'when' and 'conditions'; give exactly one"
                    : "needs a condition: 'when' (text) or 'conditions' (JSON)");
        } else if (hasWhen) {
            condition = readWhen(scope, rule.get("when"));
        } else {
            condition = readConditions(scope, rule.get("conditions"));
        }
        int cooldown = readCooldown(scope, rule);
        Universe universe = readUniverse(scope, rule.get("universe"));
        boolean enabled = true;
        Object enabledValue = rule.get("enabled");
        if (enabledValue instanceof Boolean b) {
            enabled = b;
        } else if (rule.containsKey("enabled")) {
            scope.error("enabled", "expected true or false, found " + describe(enabledValue));
        }
        if (errors.size() > before) {
            return null;
        }
        return new RuleDefinition(id, name != null ? name : id, condition, condition.metrics(), cooldown, universe,
                enabled);
    }

    private Condition readWhen(RuleScope scope, Object value) {
        if (!(value instanceof String text)) {
            scope.error("when", "expected a string, found " + describe(value));
            return null;
        }
        try {
            Condition condition = WhenParser.parse(text, historyLimit);
            return withinConditionLimit(scope, "when", condition.leaves().count()) ? condition : null;
        } catch (WhenSyntaxException e) {
            scope.error("when, column " + e.column(), e.problem());
            return null;
        }
    }

    private Condition readConditions(RuleScope scope, Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            scope.error("conditions", "expected a non-empty array of conditions, found " + describe(value));
            return null;
        }
        if (!withinConditionLimit(scope, "conditions", list.size())) {
            return null;
        }
        List<Condition> parts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Condition part = readJsonCondition(scope, "conditions[" + i + "]", list.get(i));
            if (part != null) {
                parts.add(part);
            }
        }
        if (parts.size() != list.size()) {
            return null;
        }
        return parts.size() == 1 ? parts.get(0) : new And(List.copyOf(parts));
    }

    private Condition readJsonCondition(RuleScope scope, String place, Object node) {
        if (!(node instanceof Map<?, ?> c)) {
            scope.error(place, "expected an object {\"metric\", \"op\", \"value\" or \"metric2\"}, found "
                    + describe(node));
            return null;
        }
        int before = errors.size();
        for (Object key : c.keySet()) {
            if (!CONDITION_FIELDS.contains(key)) {
                scope.error(place + "." + RuleError.cut(String.valueOf(key)),
                        "unknown field; a condition has metric, op, value or metric2");
            }
        }
        MetricRef metric = readMetricName(scope, place + ".metric", c.get("metric"), true);
        String op = c.get("op") instanceof String s ? s : "";
        boolean between = op.equals("between");
        boolean cross = op.equals("crosses_above") || op.equals("crosses_below");
        if (Op.of(op) == null && !between && !cross) {
            scope.error(place + ".op", "expected one of >, >=, <, <=, between, crosses_above, crosses_below, found "
                    + describe(c.get("op")));
        }
        boolean hasValue = c.containsKey("value");
        boolean hasMetric2 = c.containsKey("metric2");
        Operand rhs = null;
        double lo = Double.NaN;
        double hi = Double.NaN;
        if (hasValue == hasMetric2) {
            scope.error(place, hasValue ? "has both 'value' and 'metric2'; give exactly one"
                    : "needs 'value' (a number) or 'metric2' (a metric)");
        } else if (between) {
            Object v = c.get("value");
            if (hasMetric2 || !(v instanceof List<?> bounds) || bounds.size() != 2 || !isFinite(bounds.get(0))
                    || !isFinite(bounds.get(1))) {
                scope.error(place + ".value", "'between' takes \"value\": [low, high], two numbers, found "
                        + (hasMetric2 ? "metric2" : describe(v)));
            } else {
                lo = ((Number) bounds.get(0)).doubleValue();
                hi = ((Number) bounds.get(1)).doubleValue();
                String order = WhenParser.boundsOutOfOrder(Operand.of(lo), Operand.of(hi));
                if (order != null) {
                    scope.error(place + ".value", order);
                }
            }
        } else if (hasValue) {
            Object v = c.get("value");
            if (!isFinite(v)) {
                scope.error(place + ".value", "expected a number, found " + describe(v));
            } else {
                rhs = Operand.of(((Number) v).doubleValue());
            }
        } else {
            MetricRef other = readMetricName(scope, place + ".metric2", c.get("metric2"), true);
            rhs = other == null ? null : Operand.of(other);
        }
        if (errors.size() > before) {
            return null;
        }
        Operand lhs = Operand.of(metric);
        if (between) {
            return new Between(lhs, Operand.of(lo), Operand.of(hi));
        }
        return cross ? new Cross(lhs, op.equals("crosses_above"), rhs) : new Comparison(lhs, Op.of(op), rhs);
    }

    /** True when a rule's {@code count} comparisons are within {@code rules.max_conditions}; else records why not. */
    private boolean withinConditionLimit(RuleScope scope, String place, long count) {
        if (count <= limits.maxConditions()) {
            return true;
        }
        scope.error(place, count + " comparisons, more than rules.max_conditions (" + limits.maxConditions() + ")");
        return false;
    }

    private MetricRef readMetricName(RuleScope scope, String place, Object value, boolean required) {
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String name)) {
            scope.error(place, "expected a metric name such as \"rsi_14\" or \"change_pct(5m)\", found "
                    + describe(value));
            return null;
        }
        try {
            return WhenParser.parseMetric(name, historyLimit);
        } catch (WhenSyntaxException e) {
            scope.error(place, e.problem());
            return null;
        }
    }

    private int readCooldown(RuleScope scope, Map<?, ?> rule) {
        if (!rule.containsKey("cooldown_sec")) {
            return RuleDefinition.DEFAULT_COOLDOWN_SEC;
        }
        Object value = rule.get("cooldown_sec");
        if (!isFinite(value) || ((Number) value).doubleValue() != Math.rint(((Number) value).doubleValue())
                || ((Number) value).doubleValue() < 0 || ((Number) value).doubleValue() > MAX_COOLDOWN_SEC) {
            scope.error("cooldown_sec", "expected a whole number of seconds from 0 to " + MAX_COOLDOWN_SEC
                    + ", found " + describe(value));
            return 0;
        }
        return ((Number) value).intValue();
    }

    private Universe readUniverse(RuleScope scope, Object value) {
        if (value == null) {
            return Universe.ALL;
        }
        if (!(value instanceof Map<?, ?> u)) {
            scope.error("universe", "expected an object with symbols, min_price, max_price, found " + describe(value));
            return null;
        }
        for (Object key : u.keySet()) {
            if (!UNIVERSE_FIELDS.contains(key)) {
                scope.error("universe." + RuleError.cut(String.valueOf(key)),
                        "unknown field; a universe has symbols, min_price, max_price");
            }
        }
        Set<String> symbols = null;
        if (u.containsKey("symbols")) {
            if (!(u.get("symbols") instanceof List<?> list) || list.isEmpty()) {
                scope.error("universe.symbols", "expected a non-empty array of symbols, found "
                        + describe(u.get("symbols")));
            } else {
                symbols = new LinkedHashSet<>();
                for (int i = 0; i < list.size(); i++) {
                    Object s = list.get(i);
                    if (s instanceof String symbol && Symbols.isValid(symbol)) {
                        symbols.add(symbol);
                    } else {
                        scope.error("universe.symbols[" + i + "]", "expected a symbol of 1 to 32 of A-Z a-z 0-9 . _ - "
                                + "/ :, found " + describe(s));
                    }
                }
            }
        }
        double min = readPrice(scope, u, "min_price");
        double max = readPrice(scope, u, "max_price");
        if (min > max) {
            scope.error("universe", "min_price " + u.get("min_price") + " is above max_price " + u.get("max_price"));
        }
        return new Universe(symbols == null ? null : Set.copyOf(symbols), min, max);
    }

    private static double readPrice(RuleScope scope, Map<?, ?> universe, String key) {
        if (!universe.containsKey(key)) {
            return Double.NaN;
        }
        Object value = universe.get(key);
        if (!isFinite(value) || ((Number) value).doubleValue() < 0) {
            scope.error("universe." + key, "expected a number >= 0, found " + describe(value));
            return Double.NaN;
        }
        return ((Number) value).doubleValue();
    }

    private static String optionalString(RuleScope scope, Map<?, ?> rule, String key) {
        Object value = rule.get(key);
        if (value == null && !rule.containsKey(key)) {
            return null;
        }
        if (!(value instanceof String s)) {
            scope.error(key, "expected a string, found " + describe(value));
            return null;
        }
        return s;
    }

    private static boolean isFinite(Object value) {
        return value instanceof Number n && Double.isFinite(n.doubleValue());
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    /** A short description of a JSON value for error messages. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "\"" + RuleError.cut(s) + "\"";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "an empty array" : "an array";
        }
        return String.valueOf(value);
    }

    /** Records errors against one rule. */
    private final class RuleScope {
        private final int index;
        private final String id;

        RuleScope(int index, String id) {
            this.index = index;
            this.id = id;
        }

        void error(String place, String message) {
            errors.add(new RuleError(index, id, place, message));
        }
    }
}
