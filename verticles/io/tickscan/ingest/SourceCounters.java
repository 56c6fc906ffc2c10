package io.tickscan.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tickscan.engine.TickRejectReason;

/**
 * A source's count of rejected ticks by reason ({@code ticks_rejected_total{reason, source}}) and of ticks held
 * back ({@code ticks_throttled_total{source}}). A source that reads rows in batches {@linkplain #count counts}
 * its rejects in plain fields and {@linkplain #report reports} them once per batch, so that a bad row costs no
 * atomic operation on a meter.
 */
final class SourceCounters {
    /** How long a stopping source waits for its held ticks to be acknowledged. */
    static final long DRAIN_MS = 5_000;

    private final Counter[] rejected;
    private final long[] unreported;
    private final Counter throttled;

    SourceCounters(MeterRegistry registry, String source) {
        TickRejectReason[] reasons = TickRejectReason.values();
        rejected = new Counter[reasons.length];
        unreported = new long[reasons.length];
        for (TickRejectReason reason : reasons) {
            rejected[reason.ordinal()] = Counter.builder("ticks_rejected").tag("reason", reason.label())
                    .tag("source", source).register(registry);
        }
        throttled = Counter.builder("ticks_throttled").tag("source", source)
                .description("Ticks a source held back or dropped because the routing buffer was full")
                .register(registry);
    }

    /** Counts a rejected tick; it reaches the meter at the next {@link #report()}. */
    void count(TickRejectReason reason) {
        unreported[reason.ordinal()]++;
    }

    /** Adds the rejects counted since the last report to the meters. */
    void report() {
        for (int r = 0; r < unreported.length; r++) {
            if (unreported[r] != 0) {
                rejected[r].increment(unreported[r]);
                unreported[r] = 0;
            }
        }
    }

    /** Counts ticks held back; call it once per batch or pause, not per tick. */
    void throttled(long ticks) {
        throttled.increment(ticks);
    }
}
