package io.tickscan.alerts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.codec.Addresses;
import io.tickscan.codec.Alert;
import io.tickscan.codec.AlertJson;
import io.tickscan.kafka.KafkaSettings;
import io.tickscan.scanner.FailureLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every alert this node's scanners publish on {@link Addresses#ALERTS} to {@code sinks.kafka.topic}, as the
 * JSON of {@link AlertJson} keyed by symbol, with an idempotent producer ({@code acks=all}). A local consumer: each
 * node writes only the alerts its own scanners found, so each alert is produced once cluster-wide. A failed write
 * is counted ({@code alerts_sink_failures_total{sink="kafka"}}) and each distinct failure logged once.
 */
public final class KafkaAlertSinkVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaAlertSinkVerticle.class);

    private final MeterRegistry registry;
    private final FailureLog failures = new FailureLog(LOG);
    private KafkaProducer<String, String> producer;
    private String topic;
    private Counter written;
    private Counter failed;

    /** @param registry where the sink's meters go */
    public KafkaAlertSinkVerticle(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        JsonObject sink = config();
        topic = sink.getString("topic");
        written = Counter.builder("alerts_sink_written").tag("sink", "kafka").register(registry);
        failed = Counter.builder("alerts_sink_failures").tag("sink", "kafka").register(registry);
        producer = KafkaProducer.create(vertx, KafkaSettings.producer(sink), new StringSerializer(),
                new StringSerializer());
        return vertx.eventBus().<Alert>localConsumer(Addresses.ALERTS, m -> write(m.body())).completion();
    }

    @Override
    public Future<?> stop() {
        return producer.close();
    }

    private void write(Alert alert) {
        producer.send(KafkaProducerRecord.create(topic, alert.symbol(), AlertJson.of(alert).encode()))
                .onComplete(sent -> {
                    if (sent.succeeded()) {
                        written.increment();
                    } else {
                        failed.increment();
                        failures.failed("writing an alert to Kafka topic " + topic, sent.cause());
                    }
                });
    }
}
