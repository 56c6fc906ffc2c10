/**
 * {@code replay}: the engine over a file of ticks in event time, alerts written as NDJSON.
 */
package io.tickscan.replay;
