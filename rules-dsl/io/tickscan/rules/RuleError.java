package io.tickscan.rules;

/**
 * One problem in a rules file: which rule, where in it, and what was expected.
 *
 * @param index   position of the rule in the file (0-based), or -1 for the file as a whole
 * @param ruleId  the rule's id when it has a usable one, else null
 * @param place   where in the rule: {@code when, column 17}, {@code conditions[1].metric}, {@code cooldown_sec};
 *                empty for the rule or file as a whole
 * @param message what is wrong or was expected
 */
public record RuleError(int index, String ruleId, String place, String message) {

    /** Longest text of the input quoted back in a message; longer is cut with an ellipsis. */
    static final int ECHO = 40;

    /** {@code text} cut to {@value #ECHO} characters, for quoting input back. */
    static String cut(String text) {
        return text.length() > ECHO ? text.substring(0, ECHO) + "..." : text;
    }

    /** The error as one line: {@code rule 'momentum-5m' at when, column 17: expected ...}. */
    @Override
    public String toString() {
        String who = ruleId != null ? "rule '" + ruleId + "'" : index >= 0 ? "rules[" + index + "]" : "rules file";
        return who + (place.isEmpty() ? "" : " at " + place) + ": " + message;
    }
}
