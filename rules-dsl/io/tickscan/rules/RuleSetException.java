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
     * The refusal as one line for a log, however many errors there are: {@code 5000 errors; the first 3: rule 'a'
     * at when, column 7: ...; rule 'b' at ...; rule 'c' at ...}, or {@code 2 errors: ...; ...} when there are no
     * more than {@code shown}. Line breaks inside an error (echoed from the input) become spaces.
     *
     * @param shown how many errors to spell out, at least 1
     */
    public String summary(int shown) {
        String first = errors.stream().limit(shown).map(e -> e.toString().replace('\n', ' ').replace('\r', ' '))
                .collect(Collectors.joining("; "));
        return count(errors) + (errors.size() > shown ? "; the first " + shown + ": " : ": ") + first;
    }

    private static String describe(List<RuleError> errors) {
        return "invalid rule set, nothing applied (" + count(errors) + "):\n  "
                + errors.stream().map(RuleError::toString).collect(Collectors.joining("\n  "));
    }

    private static String count(List<RuleError> errors) {
        return errors.size() + (errors.size() == 1 ? " error" : " errors");
    }
}
