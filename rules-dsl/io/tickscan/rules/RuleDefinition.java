package io.tickscan.rules;

import java.util.List;

/**
 * One validated rule, in either source form, ready to compile.
 *
 * @param id          unique id, 1 to 64 of {@code a-z A-Z 0-9 _ -}
 * @param name        display name (the id when none is given)
 * @param condition   the parsed condition
 * @param metrics     every metric the condition reads, in the order they first appear, without repeats
 * @param cooldownSec seconds after a firing during which the rule does not fire again for that symbol
 * @param universe    symbols and price bounds the rule looks at
 * @param enabled     false for a rule that is validated but never evaluated
 */
public record RuleDefinition(String id, String name, Condition condition, List<MetricRef> metrics, int cooldownSec,
                             Universe universe, boolean enabled) {

    /** Default {@code cooldown_sec}. */
    public static final int DEFAULT_COOLDOWN_SEC = 60;
}
