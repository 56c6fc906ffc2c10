/**
 * The scan engine: per-symbol state (live bar, ring of 1-minute bars, incremental indicators, session stats),
 * rules compiled into trees over metric columns, the bitset evaluation of every rule for every symbol, and the
 * event-time driver that replay uses. The JDK only; time is always a value it is given.
 */
package io.tickscan.engine;
