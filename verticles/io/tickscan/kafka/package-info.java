/** What the Kafka source and the Kafka alert sink share: client settings from {@code sources.kafka}/{@code sinks.kafka}. */
package io.tickscan.kafka;
