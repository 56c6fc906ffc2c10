/**
 * Where alerts go once published: the alert log now, the sinks (Redis, Kafka) later.
 */
package io.tickscan.alerts;
