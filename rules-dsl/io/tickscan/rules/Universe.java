package io.tickscan.rules;

import java.util.Set;

/**
 * The symbols a rule looks at: only those listed (all when {@code symbols} is null), and only while
 * {@code last} is within the inclusive price bounds (NaN for no bound).
 *
 * @param symbols  the symbols the rule looks at, or null for all
 * @param minPrice lowest {@code last}, inclusive, or NaN
 * @param maxPrice highest {@code last}, inclusive, or NaN
 */
public record Universe(Set<String> symbols, double minPrice, double maxPrice) {

    /** Every symbol at every price. */
    public static final Universe ALL = new Universe(null, Double.NaN, Double.NaN);
}
