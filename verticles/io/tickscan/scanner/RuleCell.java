package io.tickscan.scanner;

import io.vertx.core.Future;

/** Where the cluster's rule set is kept, as one JSON text with compare-and-set: the cluster map, or Redis. */
interface RuleCell {
    /** The stored text, or null when none. */
    Future<String> get();

    /** Stores {@code value} when nothing is stored; the future holds what was stored before (null: none). */
    Future<String> putIfAbsent(String value);

    /** Stores {@code next} when {@code old} is what is stored; true when it was. */
    Future<Boolean> replace(String old, String next);
}
