package io.tickscan.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.engine.TickRejectReason;
import java.util.EnumMap;
import java.util.Map;

/** A source's count of rejected ticks by reason ({@code ticks_rejected_total{reason, source}}). */
final class SourceCounters {
    /** How long a stopping source waits for its held ticks to be acknowledged. */
    static final long DRAIN_MS = 5_000;

    private final Map<TickRejectReason, Counter> rejected = new EnumMap<>(TickRejectReason.class);
    private final Counter throttled;

    SourceCounters(MeterRegistry registry, String source) {
        for (TickRejectReason reason : TickRejectReason.values()) {
            rejected.put(reason, Counter.builder("ticks_rejected").tag("reason", reason.label()).tag("source", source)
                    .register(registry));
        }
        throttled = Counter.builder("ticks_throttled").tag("source", source)
                .description("Ticks a source held back or dropped because the routing buffer was full")
                .register(registry);
    }

    void rejected(TickRejectReason reason) {
        rejected.get(reason).increment();
    }

    void throttled(long ticks) {
        throttled.increment(ticks);
    }
}
