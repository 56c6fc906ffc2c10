package io.tickscan.rules;

import java.util.List;

/**
 * A whole validated rules file.
 *
 * @param rules every rule, enabled or not, in file order
 */
public record RuleSet(List<RuleDefinition> rules) {

    /** The rules that are evaluated. */
    public List<RuleDefinition> enabledRules() {
        return rules.stream().filter(RuleDefinition::enabled).toList();
    }
}
