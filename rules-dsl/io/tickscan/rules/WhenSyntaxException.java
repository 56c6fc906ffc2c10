package io.tickscan.rules;

/**
 * A {@code when} text that does not parse or names something unknown. The only exception {@link WhenParser}
 * throws.
 */
public final class WhenSyntaxException extends RuntimeException {
    private final int column;
    private final String problem;

    /**
     * @param column  1-based column of the offending text
     * @param problem what was expected or what is wrong
     */
    public WhenSyntaxException(int column, String problem) {
        super("column " + column + ": " + problem, null, false, false);
        this.column = column;
        this.problem = problem;
    }

    /** 1-based column of the offending text. */
    public int column() {
        return column;
    }

    /** What was expected or what is wrong, without the column. */
    public String problem() {
        return problem;
    }
}
