package io.tickscan.rules;

import java.util.List;
import java.util.stream.Collectors;

/** A rule set refused whole, with every error found in it. */
public final class RuleSetException extends RuntimeException {
    private final transient List<RuleError> errors;

    /** @param errors at least one error */
    public RuleSetException(List<RuleError> errors) {
        super(describe(errors), null, false, false);
        this.errors = List.copyOf(errors);
    }

    /** Every error, in file order. */
    public List<RuleError> errors() {
        return errors;
    }

    /**
     * One line for a log: how many errors and the first {@code shown} of them, e.g.
     * {@code 5000 errors; the first 3: rule 'a' at ...; rule 'b' at ...; rule 'c' at ...}.
     */
    public String summary(int shown) {
        String first = errors.stream().limit(shown).map(RuleError::toString).collect(Collectors.joining("; "));
        return errors.size() == 1 ? "1 error: " + first
                : errors.size() + " errors; the first " + Math.min(shown, errors.size()) + ": " + first;
    }

    private static String describe(List<RuleError> errors) {
        return "invalid rule set, nothing applied (" + errors.size() + (errors.size() == 1 ? " error" : " errors")
                + "):\n  " + errors.stream().map(RuleError::toString).collect(Collectors.joining("\n  "));
    }
}
