package io.tickscan.rules;

/**
 * What a rule set may hold, so that one request cannot make a node scan without end: a rule that needs more
 * history than the engine keeps, more rules than {@code maxRules} or a rule with more than {@code maxConditions}
 * comparisons is refused with a message that says the limit.
 *
 * @param historyMinutes complete 1-minute bars the engine keeps; a rule that needs more is refused
 * @param maxRules       rules a set may hold
 * @param maxConditions  comparisons (leaves of the condition tree) one rule may hold
 */
public record RuleLimits(int historyMinutes, int maxRules, int maxConditions) {
    /** Default of {@code rules.max_rules}. */
    public static final int DEFAULT_MAX_RULES = 1000;
    /** Default of {@code rules.max_conditions}. */
    public static final int DEFAULT_MAX_CONDITIONS = 64;

    /** The default limits with {@code historyMinutes} bars of history. */
    public static RuleLimits withHistory(int historyMinutes) {
        return new RuleLimits(historyMinutes, DEFAULT_MAX_RULES, DEFAULT_MAX_CONDITIONS);
    }
}
