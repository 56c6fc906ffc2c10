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

    private static String describe(List<RuleError> errors) {
        return "invalid rule set, nothing applied (" + errors.size() + (errors.size() == 1 ? " error" : " errors")
                + "):\n  " + errors.stream().map(RuleError::toString).collect(Collectors.joining("\n  "));
    }
}
