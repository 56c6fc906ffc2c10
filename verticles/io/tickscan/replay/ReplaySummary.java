package io.tickscan.replay;

import io.tickscan.engine.TickRejectReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a replay did.
 *
 * @param rows     data rows read (header and blank lines excluded)
 * @param applied  ticks applied to the engine
 * @param rejected rows refused, by reason (jumps included)
 * @param late     valid ticks dropped as late
 * @param symbols  distinct symbols seen
 * @param scans    seconds scanned, evaluated or passed over as quiet
 * @param evaluated scans evaluated (the others, at which nothing could change, were passed over)
 * @param alerts   alerts written
 * @param nanos    elapsed wall time
 */
public record ReplaySummary(long rows, long applied, Map<TickRejectReason, Long> rejected, long late, int symbols,
                            long scans, long evaluated, long alerts, long nanos) {

    /** Copies the reject counts. */
    public ReplaySummary {
        rejected = Collections.unmodifiableMap(new EnumMap<>(rejected));
    }

    /** All rows refused. */
    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Ticks applied per second of wall time. */
    public double ticksPerSecond() {
        return nanos == 0 ? 0 : applied * 1e9 / nanos;
    }

    /** The summary as printed at the end of a replay. */
    public String format() {
        String reasons = rejected.isEmpty() ? "" : " (" + rejected.entrySet().stream()
                .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")";
        return String.format(Locale.ROOT, "replay: %d rows read, %d ticks applied, %d rejected%s, %d late, %d symbols, %d scans "
                        + "(%d evaluated), %d alerts in %.3f s (%.0f ticks/s)",
                rows, applied, rejectedTotal(), reasons, late, symbols, scans, evaluated, alerts, nanos / 1e9, ticksPerSecond());
    }
}
