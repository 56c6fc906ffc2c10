/**
 * Where alerts go once found: the alert pipeline (dedupe, the Redis stream when configured, the cluster-wide
 * publish) and the alert log.
 */
package io.tickscan.alerts;
