/**
 * The rules language: the rule model, the {@code when} parser, the reader of rule files (a JSON tree of plain
 * maps and lists) with errors that name the rule and the place, and the metric catalog. The JDK only.
 */
package io.tickscan.rules;
